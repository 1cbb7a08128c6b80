package dev.gantry.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.reference.Digest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every metadata backend must do the same way. {@link SqliteMetadataStoreTest} and
 * {@link PostgresMetadataStoreTest} run it, so SQLite and PostgreSQL share one contract and one code path.
 */
abstract class MetadataStoreContract {
    static final RepositoryName APP = new RepositoryName("dev", "team/app");
    static final RepositoryName OTHER = new RepositoryName("dev", "team/other");
    static final RepositoryName QA_APP = new RepositoryName("qa", "team/app");

    MetadataStore store;

    @RegisterExtension
    final TestDatabases.PerTest databases;

    MetadataStoreContract(TestDatabases.Backend backend) {
        databases = new TestDatabases.PerTest(backend);
    }

    Database database() {
        return databases.open();
    }

    @BeforeEach
    void registries() {
        store = new MetadataStore(database());
        for (String name : List.of("dev", "qa")) {
            store.putRegistry(name, "Local", "{}");
        }
    }

    static Digest digest(int n) {
        return new Digest("sha256", HexFormat.of().formatHex(new byte[32]).substring(8) + String.format("%08x", n));
    }

    static NewManifest manifest(int n, List<Digest> blobs, Digest subject, String artifactType) {
        return new NewManifest(digest(n), "application/vnd.oci.image.manifest.v1+json", 500 + n, artifactType,
                subject, null, blobs, List.of());
    }

    @Test
    void aBlobIsServedOnlyByTheRepositoriesThatHoldIt() {
        store.addBlob(APP, digest(1), 42);
        assertThat(store.blobSizeIn(APP, digest(1))).isEqualTo(42);
        assertThat(store.blobSizeIn(OTHER, digest(1))).isEqualTo(-1);
        assertThat(store.blobSizeIn(QA_APP, digest(1))).isEqualTo(-1);
    }

    @Test
    void mountingLinksABlobTheSourceHoldsAndNothingElse() {
        store.addBlob(APP, digest(1), 42);
        assertThat(store.mountBlob(APP, QA_APP, digest(1))).isTrue();
        assertThat(store.blobSizeIn(QA_APP, digest(1))).isEqualTo(42);
        assertThat(store.mountBlob(OTHER, QA_APP, digest(2))).isFalse();
        assertThat(store.blobSizeIn(QA_APP, digest(2))).isEqualTo(-1);
    }

    @Test
    void unlinkingABlobLeavesOtherRepositoriesAlone() {
        store.addBlob(APP, digest(1), 42);
        store.addBlob(OTHER, digest(1), 42);
        assertThat(store.unlinkBlob(APP, digest(1))).isTrue();
        assertThat(store.unlinkBlob(APP, digest(1))).isFalse();
        assertThat(store.blobSizeIn(OTHER, digest(1))).isEqualTo(42);
    }

    @Test
    void aManifestIsFoundByTagAndByDigestAndATagMoves() {
        store.addBlob(APP, digest(1), 10);
        store.putManifest(APP, manifest(100, List.of(digest(1)), null, null), "1.0");
        assertThat(store.manifestByTag(APP, "1.0").digest()).isEqualTo(digest(100));
        assertThat(store.manifestByDigest(APP, digest(100)).size()).isEqualTo(600);
        assertThat(store.manifestByDigest(OTHER, digest(100))).isNull();

        store.putManifest(APP, manifest(101, List.of(digest(1)), null, null), "1.0");
        assertThat(store.manifestByTag(APP, "1.0").digest()).isEqualTo(digest(101));
    }

    @Test
    void anImmutableTagStaysWhereItPointsAndTheRefusedPushLeavesNoTrace() {
        store.putManifest(APP, manifest(100, List.of(), null, null), "1.0", true);
        store.putManifest(APP, manifest(100, List.of(), null, null), "1.0", true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                store.putManifest(APP, manifest(101, List.of(), null, null), "1.0", true))
                .isInstanceOf(TagImmutableException.class).hasMessageContaining(digest(100).toString());
        assertThat(store.manifestByTag(APP, "1.0").digest()).isEqualTo(digest(100));
        assertThat(store.manifestByDigest(APP, digest(101))).isNull();
    }

    @Test
    void missingReferencesNameTheBlobsAndChildrenTheRepositoryLacks() {
        store.addBlob(APP, digest(1), 10);
        store.putManifest(APP, manifest(100, List.of(digest(1)), null, null), null);
        assertThat(store.missingReferences(APP, List.of(digest(1), digest(2)), List.of(digest(100), digest(101))))
                .containsExactly(digest(2), digest(101));
        assertThat(store.missingReferences(OTHER, List.of(digest(1)), List.of())).containsExactly(digest(1));
    }

    @Test
    void deletingAManifestTakesItsTagsAndDeletingATagKeepsTheManifest() {
        store.putManifest(APP, manifest(100, List.of(), null, null), "a");
        store.putManifest(APP, manifest(101, List.of(), null, null), "b");
        assertThat(store.deleteManifest(APP, digest(100))).isTrue();
        assertThat(store.manifestByTag(APP, "a")).isNull();
        assertThat(store.deleteTag(APP, "b")).isTrue();
        assertThat(store.manifestByDigest(APP, digest(101))).isNotNull();
        assertThat(store.deleteTag(APP, "b")).isFalse();
    }

    @Test
    void tagsSortByteWiseOnEveryBackendAndPaginate() {
        for (String tag : List.of("b", "a", "B", "1.0", "10", "_x", "a-b")) {
            store.putManifest(APP, manifest(100, List.of(), null, null), tag);
        }
        assertThat(store.tags(APP, null, 100)).containsExactly("1.0", "10", "B", "_x", "a", "a-b", "b");
        assertThat(store.tags(APP, "B", 2)).containsExactly("_x", "a");
    }

    @Test
    void theCatalogListsEveryRepositoryWithItsRegistryInOrder() {
        store.addBlob(QA_APP, digest(1), 1);
        store.addBlob(OTHER, digest(1), 1);
        store.addBlob(APP, digest(1), 1);
        assertThat(store.catalog(null, 100)).containsExactly("dev/team/app", "dev/team/other", "qa/team/app");
        assertThat(store.catalog("dev/team/app", 1)).containsExactly("dev/team/other");
    }

    @Test
    void referrersAreTheManifestsWhoseSubjectIsTheDigestFilteredByArtifactType() {
        store.putManifest(APP, manifest(100, List.of(), null, null), "1");
        store.putManifest(APP, manifest(101, List.of(), digest(100), "application/vnd.sig"), null);
        store.putManifest(APP, manifest(102, List.of(), digest(100), "application/spdx+json"), null);
        store.putManifest(OTHER, manifest(103, List.of(), digest(100), "application/vnd.sig"), null);
        assertThat(store.referrers(APP, digest(100), null)).extracting(Referrer::digest)
                .containsExactly(digest(101).toString(), digest(102).toString());
        assertThat(store.referrers(APP, digest(100), "application/spdx+json")).extracting(Referrer::digest)
                .containsExactly(digest(102).toString());
    }

    @Test
    void anUploadSessionBelongsToItsRepositoryUntilItCompletes() {
        store.createUpload("6f1c2d3e-0000-4000-8000-000000000001", APP);
        assertThat(store.uploadRepository("6f1c2d3e-0000-4000-8000-000000000001")).isEqualTo(APP);
        store.completeUpload("6f1c2d3e-0000-4000-8000-000000000001", APP, digest(7), 77);
        assertThat(store.uploadRepository("6f1c2d3e-0000-4000-8000-000000000001")).isNull();
        assertThat(store.blobSizeIn(APP, digest(7))).isEqualTo(77);
    }

    @Test
    void aRepositoryOpensUploadSessionsUpToItsLimitCountingOnlyUnexpiredOnes() {
        java.time.Instant now = java.time.Instant.now();
        assertThat(store.createUploadWithin("6f1c2d3e-0000-4000-8000-000000000011", APP, 2, now.minusSeconds(60)))
                .isTrue();
        assertThat(store.createUploadWithin("6f1c2d3e-0000-4000-8000-000000000012", APP, 2, now.minusSeconds(60)))
                .isTrue();
        assertThat(store.createUploadWithin("6f1c2d3e-0000-4000-8000-000000000013", APP, 2, now.minusSeconds(60)))
                .isFalse();
        assertThat(store.openUpload("6f1c2d3e-0000-4000-8000-000000000013")).isNull();
        assertThat(store.createUploadWithin("6f1c2d3e-0000-4000-8000-000000000014", OTHER, 2, now.minusSeconds(60)))
                .isTrue();
        // sessions started before "since" have expired and no longer count
        assertThat(store.createUploadWithin("6f1c2d3e-0000-4000-8000-000000000015", APP, 2, now.plusSeconds(60)))
                .isTrue();
        MetadataStore.OpenUpload open = store.openUpload("6f1c2d3e-0000-4000-8000-000000000011");
        assertThat(open.repository()).isEqualTo(APP);
        assertThat(open.startedAt()).isBetween(now.minusSeconds(60), java.time.Instant.now());
    }

    @Test
    void theSameManifestPushedConcurrentlyIntoManyRepositoriesIsStoredOnceAndHeldByAll() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                RepositoryName repo = new RepositoryName("dev", "r" + i);
                Callable<Void> push = () -> {
                    store.addBlob(repo, digest(1), 10);
                    store.putManifest(repo, manifest(100, List.of(digest(1)), null, null), "1");
                    return null;
                };
                results.add(pool.submit(push));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < 16; i++) {
            assertThat(store.manifestByTag(new RepositoryName("dev", "r" + i), "1").digest()).isEqualTo(digest(100));
        }
    }

    @Test
    void registriesAreUpdatedInPlace() {
        store.putRegistry("dev", "Local", "{\"allowPush\":false}");
        assertThat(store.registryNames()).containsExactly("dev", "qa");
    }
}
