package dev.gantry.registry.storage;

import static dev.gantry.registry.storage.MetadataStoreContract.digest;
import static dev.gantry.registry.storage.MetadataStoreContract.manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.api.reference.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Promotion's transaction, the same on every backend (run by the SQLite and PostgreSQL subclasses). */
abstract class PromotionStoreContract {
    static final RepositoryName DEV = new RepositoryName("dev", "team/app");
    static final RepositoryName QA = new RepositoryName("qa", "team/app");

    MetadataStore metadata;
    PromotionStore promotions;

    @RegisterExtension
    final TestDatabases.PerTest databases;

    PromotionStoreContract(TestDatabases.Backend backend) {
        databases = new TestDatabases.PerTest(backend);
    }

    Database database() {
        return databases.open();
    }

    @BeforeEach
    void registries() {
        Database db = database();
        metadata = new MetadataStore(db);
        promotions = new PromotionStore(db);
        metadata.putRegistry("dev", "Local", "{}");
        metadata.putRegistry("qa", "Local", "{}");
    }

    static PromotionPlan plan(String id, Digest digest, String tag, List<String> targetTags, boolean immutable) {
        return new PromotionPlan(id, DEV, QA, digest, tag, null, targetTags, true, immutable, Map.of(), "tester");
    }

    @Test
    void theTargetGainsTheManifestItsBlobsTheIndexChildrenAndTheReferrers() {
        metadata.addBlob(DEV, digest(1), 10);
        metadata.addBlob(DEV, digest(2), 20);
        metadata.putManifest(DEV, manifest(100, List.of(digest(1), digest(2)), null, null), null);
        metadata.putManifest(DEV, new NewManifest(digest(200), "application/vnd.oci.image.index.v1+json", 300, null,
                null, null, List.of(), List.of(digest(100))), "1.0");
        metadata.putManifest(DEV, manifest(101, List.of(digest(1)), digest(200), "application/vnd.sig"), null);

        PromotionRecord record = promotions.promote(plan("p1", null, "1.0", null, false));

        assertThat(record.digest()).isEqualTo(digest(200).toString());
        assertThat(record.tags()).containsExactly("1.0");
        assertThat(metadata.manifestByTag(QA, "1.0").digest()).isEqualTo(digest(200));
        assertThat(metadata.manifestByDigest(QA, digest(100))).isNotNull();
        assertThat(metadata.blobSizeIn(QA, digest(2))).isEqualTo(20);
        assertThat(metadata.referrers(QA, digest(200), null)).extracting(Referrer::digest)
                .containsExactly(digest(101).toString());
        assertThat(promotions.ofDigest(digest(200).toString())).extracting(PromotionRecord::id).containsExactly("p1");
    }

    @Test
    void aRetryWithTheSameIdAnswersTheFirstResult() {
        metadata.putManifest(DEV, manifest(100, List.of(), null, null), "1");
        PromotionRecord first = promotions.promote(plan("same", null, "1", null, false));
        metadata.putManifest(DEV, manifest(101, List.of(), null, null), "1");
        PromotionRecord again = promotions.promote(plan("same", null, "1", null, false));
        assertThat(again).isEqualTo(first);
        assertThat(metadata.manifestByDigest(QA, digest(101))).isNull();
    }

    @Test
    void aRefusedPromotionChangesNothing() {
        metadata.putManifest(DEV, manifest(100, List.of(), null, null), "1");
        metadata.putManifest(DEV, manifest(101, List.of(), null, null), "2");
        promotions.promote(plan("a", digest(100), null, List.of("stable"), true));
        assertThatThrownBy(() -> promotions.promote(plan("b", digest(101), null, List.of("other", "stable"), true)))
                .isInstanceOf(PromotionRefusedException.class)
                .extracting(e -> ((PromotionRefusedException) e).reason())
                .isEqualTo(PromotionRefusedException.Reason.TAG_IMMUTABLE);
        assertThat(metadata.manifestByDigest(QA, digest(101))).isNull();
        assertThat(metadata.manifestByTag(QA, "other")).isNull();
        assertThat(promotions.find("b")).isNull();
    }

    @Test
    void racingPromotionsOfDifferentDigestsToOneImmutableTagHaveOneWinner() throws Exception {
        for (int i = 0; i < 8; i++) {
            metadata.putManifest(DEV, manifest(100 + i, List.of(), null, null), null);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Digest digest = digest(100 + i);
            String id = "race-" + i;
            results.add(pool.submit(() -> {
                try {
                    promotions.promote(plan(id, digest, null, List.of("release"), true));
                    return true;
                } catch (PromotionRefusedException e) {
                    return false;
                }
            }));
        }
        int winners = 0;
        for (Future<Boolean> result : results) {
            winners += result.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(winners).isEqualTo(1);
        Digest tagged = metadata.manifestByTag(QA, "release").digest();
        assertThat(promotions.ofDigest(tagged.toString())).hasSize(1);
    }
}
