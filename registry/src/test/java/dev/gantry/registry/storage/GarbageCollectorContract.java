package dev.gantry.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.reference.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection over real files and each metadata backend ({@link SqliteGarbageCollectorTest},
 * {@link PostgresGarbageCollectorTest}). Time is the policy's clock: a test "waits" by collecting as of later.
 */
abstract class GarbageCollectorContract {
    static final RepositoryName DEV_APP = new RepositoryName("dev", "team/app");
    static final RepositoryName DEV_OTHER = new RepositoryName("dev", "team/other");
    static final RepositoryName QA_APP = new RepositoryName("qa", "team/app");
    static final Duration GRACE = Duration.ofHours(2);
    static final Duration LIFETIME = Duration.ofHours(24);
    static final Duration DAY = Duration.ofDays(1);
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir
    Path dataDir;
    MetadataStore metadata;
    PromotionStore promotions;
    BlobStore blobs;
    GarbageCollector collector;
    Database db;

    @RegisterExtension
    final TestDatabases.PerTest databases;

    GarbageCollectorContract(TestDatabases.Backend backend) {
        databases = new TestDatabases.PerTest(backend);
    }

    Database database() {
        return databases.open();
    }

    @BeforeEach
    void store() {
        db = database();
        metadata = new MetadataStore(db);
        promotions = new PromotionStore(db);
        blobs = new BlobStore(dataDir);
        collector = new GarbageCollector(db, blobs);
        for (String name : List.of("dev", "qa")) {
            metadata.putRegistry(name, "Local", "{}");
        }
    }

    // --- what goes ----------------------------------------------------------------------------------------------

    @Test
    void aBlobNoManifestReferencesGoesOnceItIsOlderThanTheGracePeriod() {
        Digest orphan = upload(DEV_APP, "never referenced");
        assertThat(collect(Duration.ofHours(1), Map.of()).blobsRemoved()).as("within the grace period").isZero();
        assertThat(blobs.exists(orphan)).isTrue();

        GarbageCollector.Report report = collect(Duration.ofHours(3), Map.of());
        assertThat(report.blobsRemoved()).isEqualTo(1);
        assertThat(report.repositoryLinksRemoved()).isEqualTo(1);
        assertThat(report.blobBytesFreed()).isEqualTo("never referenced".length());
        assertThat(blobs.exists(orphan)).isFalse();
        assertThat(metadata.blobSizeIn(DEV_APP, orphan)).isEqualTo(-1);
        assertThat(metadata.storedBytes()).isZero();
        assertThat(report.repositoriesRemoved()).as("the repository held nothing else").isEqualTo(1);
        assertThat(metadata.repositoryExists(DEV_APP)).isFalse();
    }

    @Test
    void anUntaggedManifestPastItsRegistrysRetentionGoesWithTheLayersOnlyItUsed() {
        Digest shared = upload(DEV_APP, "shared layer");
        Digest own = upload(DEV_APP, "layer of the old image only");
        Digest old = pushManifest(DEV_APP, List.of(shared, own), null);
        Digest current = pushManifest(DEV_APP, List.of(shared), "latest");

        assertThat(collect(Duration.ofHours(3), Map.of()).manifestsRemoved())
                .as("without retention untagged manifests stay").isZero();
        assertThat(collect(Duration.ofHours(3), Map.of("dev", DAY)).manifestsRemoved())
                .as("younger than the retention").isZero();

        GarbageCollector.Report report = collect(Duration.ofDays(2), Map.of("dev", DAY));
        assertThat(report.manifests()).containsExactly(DEV_APP + "@" + old);
        assertThat(metadata.manifestByDigest(DEV_APP, old)).isNull();
        assertThat(blobs.exists(old)).isFalse();
        assertThat(blobs.exists(own)).isFalse();
        assertThat(report.blobsRemoved()).isEqualTo(2);
        assertIntact(DEV_APP, "latest", current, List.of(shared));
    }

    @Test
    void retentionShorterThanTheGracePeriodWaitsForTheGracePeriod() {
        Digest child = pushManifest(DEV_APP, List.of(), null);
        assertThat(collect(Duration.ofHours(1), Map.of("dev", Duration.ZERO)).manifestsRemoved())
                .as("an index's children are pushed untagged before the index").isZero();
        assertThat(metadata.manifestByDigest(DEV_APP, child)).isNotNull();
        assertThat(collect(Duration.ofHours(3), Map.of("dev", Duration.ZERO)).manifestsRemoved()).isEqualTo(1);
    }

    @Test
    void expiredUploadSessionsAndStaleStagingFilesGo() throws IOException {
        String expired = UUID.randomUUID().toString();
        blobs.createUpload(expired);
        Files.writeString(blobs.uploadPath(expired), "half a layer");
        metadata.createUpload(expired, DEV_APP);
        Path direct = dataDir.resolve("uploads").resolve("direct-" + UUID.randomUUID());
        Files.writeString(direct, "left by a crash");
        age(direct, Duration.ofDays(2));

        GarbageCollector.Report tooEarly = collect(Duration.ofHours(23), Map.of());
        assertThat(tooEarly.uploadsExpired()).isZero();
        assertThat(metadata.uploadRepository(expired)).isEqualTo(DEV_APP);

        String busy = UUID.randomUUID().toString();
        blobs.createUpload(busy);
        metadata.createUpload(busy, DEV_APP);
        GarbageCollector.Report report = collector.collect(new GarbageCollector.Policy(
                Instant.now().plus(Duration.ofHours(25)), GRACE, LIFETIME, Map.of(), java.util.Set.of(busy)), false);
        assertThat(report.uploadsExpired()).isEqualTo(1);
        assertThat(metadata.uploadRepository(busy)).as("a request is writing to it").isEqualTo(DEV_APP);
        assertThat(blobs.uploadSize(busy)).isZero();
        assertThat(report.uploadBytesFreed()).isEqualTo("half a layer".length());
        assertThat(metadata.uploadRepository(expired)).isNull();
        assertThat(blobs.uploadSize(expired)).isEqualTo(-1);
        assertThat(direct).doesNotExist();
    }

    @Test
    void aContentFileWithoutARowIsACrashedPushAndGoesAfterTheGracePeriod() throws IOException {
        Digest stray = digestOf("placed, never committed");
        blobs.place(blobs.stage(bytes("placed, never committed")), stray);
        assertThat(collect(Duration.ZERO, Map.of()).strayFilesRemoved()).as("a young file may be a push in "
                + "progress").isZero();
        age(blobs.path(stray), Duration.ofHours(3));
        Digest recorded = upload(DEV_APP, "recorded");
        pushManifest(DEV_APP, List.of(recorded), "1");
        age(blobs.path(recorded), Duration.ofHours(3));

        GarbageCollector.Report report = collect(Duration.ZERO, Map.of());
        assertThat(report.strayFilesRemoved()).isEqualTo(1);
        assertThat(blobs.exists(stray)).isFalse();
        assertThat(blobs.exists(recorded)).isTrue();
    }

    // --- what stays -------------------------------------------------------------------------------------------

    @Test
    void taggedManifestsAndEverythingTheyNeedAreNeverCollected() {
        Digest layer = upload(DEV_APP, "layer");
        Digest image = pushManifest(DEV_APP, List.of(layer), "1.0");
        GarbageCollector.Report report = collect(Duration.ofDays(400), Map.of("dev", Duration.ZERO));
        assertThat(report.manifestsRemoved()).isZero();
        assertThat(report.blobsRemoved()).isZero();
        assertIntact(DEV_APP, "1.0", image, List.of(layer));
    }

    @Test
    void aManifestPromotedIntoARegistryIsNeverCollectedThereEvenUntagged() {
        Digest layer = upload(DEV_APP, "promoted layer");
        Digest image = pushManifest(DEV_APP, List.of(layer), "rc");
        promotions.promote(new PromotionPlan("p-1", DEV_APP, QA_APP, image, null, null, List.of(), false, false,
                Map.of(), "tester"));
        metadata.deleteTag(DEV_APP, "rc");

        GarbageCollector.Report report = collect(Duration.ofDays(30), Map.of("dev", DAY, "qa", DAY));
        assertThat(report.manifests()).as("dev's untagged copy goes; qa's promoted one stays")
                .containsExactly(DEV_APP + "@" + image);
        assertThat(metadata.manifestByDigest(QA_APP, image)).isNotNull();
        assertThat(metadata.blobSizeIn(QA_APP, layer)).isEqualTo("promoted layer".length());
        assertThat(blobs.exists(layer)).isTrue();
        assertThat(blobs.exists(image)).isTrue();
        assertThat(report.blobsRemoved()).as("the bytes are still held by qa").isZero();
    }

    @Test
    void theChildrenAndReferrersOfAKeptManifestStayWithIt() {
        Digest amd64 = pushManifest(DEV_APP, List.of(upload(DEV_APP, "amd64 layer")), null);
        Digest arm64 = pushManifest(DEV_APP, List.of(upload(DEV_APP, "arm64 layer")), null);
        Digest index = pushIndex(DEV_APP, List.of(amd64, arm64), "multi");
        Digest signature = pushReferrer(DEV_APP, index);
        Digest unrelated = pushManifest(DEV_APP, List.of(), null);

        GarbageCollector.Report report = collect(Duration.ofDays(30), Map.of("dev", DAY));
        assertThat(report.manifests()).containsExactly(DEV_APP + "@" + unrelated);
        for (Digest kept : List.of(amd64, arm64, index, signature)) {
            assertThat(metadata.manifestByDigest(DEV_APP, kept)).as(kept.toString()).isNotNull();
            assertThat(blobs.exists(kept)).isTrue();
        }
        assertThat(report.blobsRemoved()).as("only the unrelated manifest's bytes").isEqualTo(1);
    }

    @Test
    void pushingAnOldUntaggedManifestAgainRestartsItsRetention() {
        Digest layer = upload(DEV_APP, "layer");
        byte[] body = manifestBody(List.of(layer), null, "again");
        Digest image = digestOf(body);
        blobs.place(blobs.stage(body), image);
        metadata.putManifest(DEV_APP, manifest(image, body, List.of(layer), List.of(), null), null);
        backdate("repository_manifests", Duration.ofDays(3));
        metadata.putManifest(DEV_APP, manifest(image, body, List.of(layer), List.of(), null), null);

        assertThat(collect(Duration.ofHours(3), Map.of("dev", DAY)).manifestsRemoved()).isZero();
        assertThat(metadata.manifestByDigest(DEV_APP, image)).isNotNull();
    }

    // --- dry run, crash recovery --------------------------------------------------------------------------------

    @Test
    void aDryRunReportsExactlyWhatTheRunThenRemovesAndRemovesNothing() throws IOException {
        Digest shared = upload(DEV_APP, "shared");
        pushManifest(DEV_APP, List.of(shared), "kept");
        pushManifest(DEV_APP, List.of(shared, upload(DEV_APP, "old only")), null);
        metadata.mountBlob(DEV_APP, DEV_OTHER, upload(DEV_APP, "mounted, never used"));
        String upload = UUID.randomUUID().toString();
        blobs.createUpload(upload);
        metadata.createUpload(upload, DEV_OTHER);
        long filesBefore = countFiles(dataDir.resolve("blobs"));
        long bytesBefore = metadata.storedBytes();

        Instant later = Instant.now().plus(Duration.ofDays(2));
        GarbageCollector.Report dry = collector.collect(policy(later, Map.of("dev", DAY)), true);
        assertThat(countFiles(dataDir.resolve("blobs"))).isEqualTo(filesBefore);
        assertThat(metadata.storedBytes()).isEqualTo(bytesBefore);
        assertThat(metadata.uploadRepository(upload)).isEqualTo(DEV_OTHER);

        GarbageCollector.Report real = collector.collect(policy(later, Map.of("dev", DAY)), false);
        assertThat(dry.dryRun()).isTrue();
        assertThat(real.dryRun()).isFalse();
        assertThat(dry.manifests()).isEqualTo(real.manifests()).hasSize(1);
        assertThat(dry.blobsRemoved()).isEqualTo(real.blobsRemoved()).isEqualTo(3);
        assertThat(dry.blobBytesFreed()).isEqualTo(real.blobBytesFreed());
        assertThat(dry.repositoryLinksRemoved()).isEqualTo(real.repositoryLinksRemoved());
        assertThat(dry.uploadsExpired()).isEqualTo(real.uploadsExpired()).isEqualTo(1);
        assertThat(dry.bytesFreed()).isEqualTo(real.bytesFreed()).isEqualTo(bytesBefore - metadata.storedBytes());
    }

    @Test
    void aFileLeftInTheTrashByACrashIsRestoredWhenItsRowSurvivedAndDeletedOtherwise() {
        Digest survived = upload(DEV_APP, "rolled back");
        pushManifest(DEV_APP, List.of(survived), "1");
        Digest committed = digestOf("deleted for good");
        blobs.place(blobs.stage(bytes("deleted for good")), committed);
        assertThat(blobs.trash(survived)).isTrue();
        assertThat(blobs.trash(committed)).isTrue();

        collector.recoverTrash();

        assertThat(blobs.exists(survived)).isTrue();
        assertThat(blobs.exists(committed)).isFalse();
        assertThat(blobs.trashed()).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    GarbageCollector.Report collect(Duration later, Map<String, Duration> retention) {
        return collector.collect(policy(Instant.now().plus(later), retention), false);
    }

    static GarbageCollector.Policy policy(Instant now, Map<String, Duration> retention) {
        return new GarbageCollector.Policy(now, GRACE, LIFETIME, retention);
    }

    Digest upload(RepositoryName repo, String content) {
        Digest digest = digestOf(content);
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        metadata.createUpload(id, repo);
        try {
            Files.write(blobs.uploadPath(id), bytes(content));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        blobs.prepareUpload(id);
        metadata.completeUpload(id, repo, digest, content.length(), () -> blobs.placeUpload(id, digest));
        return digest;
    }

    Digest pushManifest(RepositoryName repo, List<Digest> layers, String tag) {
        byte[] body = manifestBody(layers, null, UUID.randomUUID().toString());
        Digest digest = digestOf(body);
        Path staged = blobs.stage(body);
        metadata.putManifest(repo, manifest(digest, body, layers, List.of(), null), tag, false,
                () -> blobs.place(staged, digest));
        return digest;
    }

    Digest pushReferrer(RepositoryName repo, Digest subject) {
        byte[] body = manifestBody(List.of(), subject, "signature");
        Digest digest = digestOf(body);
        Path staged = blobs.stage(body);
        metadata.putManifest(repo, manifest(digest, body, List.of(), List.of(), subject), null, false,
                () -> blobs.place(staged, digest));
        return digest;
    }

    Digest pushIndex(RepositoryName repo, List<Digest> children, String tag) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX
                + "\",\"manifests\":[");
        for (Digest child : children) {
            json.append(json.charAt(json.length() - 1) == '[' ? "" : ",").append("{\"mediaType\":\"")
                    .append(OCI_MANIFEST).append("\",\"digest\":\"").append(child).append("\",\"size\":1}");
        }
        byte[] body = bytes(json.append("]}").toString());
        Digest digest = digestOf(body);
        Path staged = blobs.stage(body);
        metadata.putManifest(repo, new NewManifest(digest, OCI_INDEX, body.length, null, null, null, List.of(),
                children), tag, false, () -> blobs.place(staged, digest));
        return digest;
    }

    static NewManifest manifest(Digest digest, byte[] body, List<Digest> layers, List<Digest> children,
            Digest subject) {
        return new NewManifest(digest, OCI_MANIFEST, body.length, subject == null ? null : "application/vnd.sig",
                subject, null, layers, children);
    }

    static byte[] manifestBody(List<Digest> layers, Digest subject, String salt) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"annotations\":{\"salt\":\"" + salt + "\"}");
        layers.forEach(layer -> json.append(",\"l\":\"").append(layer).append('"'));
        if (subject != null) {
            json.append(",\"subject\":\"").append(subject).append('"');
        }
        return bytes(json.append('}').toString());
    }

    void assertIntact(RepositoryName repo, String tag, Digest manifest, List<Digest> layers) {
        assertThat(metadata.manifestByTag(repo, tag).digest()).isEqualTo(manifest);
        assertThat(digestOf(blobs.read(manifest))).isEqualTo(manifest);
        for (Digest layer : layers) {
            assertThat(metadata.blobSizeIn(repo, layer)).as(layer.toString()).isPositive();
            assertThat(digestOf(blobs.read(layer))).isEqualTo(layer);
        }
    }

    void backdate(String table, Duration by) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE " + table + " SET created_at = created_at - ?",
                by.toMillis()));
    }

    static void age(Path file, Duration by) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(by)));
    }

    static long countFiles(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Digest digestOf(String content) {
        return digestOf(bytes(content));
    }

    static Digest digestOf(byte[] content) {
        try {
            return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
