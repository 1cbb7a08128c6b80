package dev.gantry.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.storage.FsckProblem.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsck on every metadata backend ({@link SqliteFsckTest}, {@link PostgresFsckTest}): a store written through the
 * real write paths, each kind of damage made for real on disk or in SQL, found, and repaired where fsck promises a
 * repair — never by deleting content.
 *
 * <p>The store: in dev/team/app, images A (1.0) and B (2.0), sharing layer S, and the index M (multi) over both;
 * M promoted to qa/team/app with its tag; and a sha512 blob in dev/team/app.
 */
abstract class FsckContract {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final RepositoryName DEV = new RepositoryName("dev", "team/app");
    static final RepositoryName QA = new RepositoryName("qa", "team/app");

    @TempDir
    Path dataDir;
    Database db;
    BlobStore blobs;
    MetadataStore metadata;
    Fsck fsck;

    Digest shared;
    Digest layerA;
    Digest layerB;
    Digest configA;
    Digest configB;
    Digest manifestA;
    Digest manifestB;
    Digest index;
    Digest sha512Blob;
    long storedBytes;
    byte[] layerABytes;

    @RegisterExtension
    final TestDatabases.PerTest databases;

    FsckContract(TestDatabases.Backend backend) {
        databases = new TestDatabases.PerTest(backend);
    }

    Database database() {
        return databases.open();
    }

    @BeforeEach
    void aStoreWrittenAsPushesAndPromotionsWriteIt() {
        db = database();
        blobs = new BlobStore(dataDir);
        metadata = new MetadataStore(db);
        fsck = new Fsck(dataDir, blobs, db);
        metadata.putRegistry("dev", "Local", "{}");
        metadata.putRegistry("qa", "Local", "{}");

        shared = upload(DEV, random(8192, 1));
        layerABytes = random(4096, 2);
        layerA = upload(DEV, layerABytes);
        layerB = upload(DEV, random(3000, 3));
        configA = upload(DEV, "{\"os\":\"linux\",\"image\":\"A\"}".getBytes(StandardCharsets.UTF_8));
        configB = upload(DEV, "{\"os\":\"linux\",\"image\":\"B\"}".getBytes(StandardCharsets.UTF_8));
        manifestA = pushManifest(DEV, "1.0", OCI_MANIFEST, List.of(configA, shared, layerA), List.of());
        manifestB = pushManifest(DEV, "2.0", OCI_MANIFEST, List.of(configB, shared, layerB), List.of());
        index = pushManifest(DEV, "multi", OCI_INDEX, List.of(), List.of(manifestA, manifestB));
        new PromotionStore(db).promote(new PromotionPlan("p1", DEV, QA, null, "multi", null, null, true, false,
                Map.of(), "tester"));
        byte[] content = random(1000, 4);
        sha512Blob = new Digest(Digest.SHA512, hex("SHA-512", content));
        blobs.place(blobs.stage(content), sha512Blob);
        metadata.addBlob(DEV, sha512Blob, content.length);
        storedBytes += content.length;
    }

    // --- a consistent store ------------------------------------------------------------------------------------

    @Test
    void aConsistentStoreReportsNothingAndCountsWhatItChecked() {
        FsckReport report = fsck.run(false);

        assertThat(report.problems()).isEmpty();
        assertThat(report.blobsChecked()).isEqualTo(9); // 5 uploads, 3 manifests, the sha512 blob
        assertThat(report.bytesHashed()).isEqualTo(storedBytes);
        assertThat(report.manifestsChecked()).isEqualTo(3);
        assertThat(report.tagsChecked()).isEqualTo(4); // 1.0, 2.0, multi in dev; multi in qa
        assertThat(report.repair()).isFalse();

        FsckReport repaired = fsck.run(true);
        assertThat(repaired.problems()).isEmpty();
        assertThat(repaired.repair()).isTrue();
        assertThat(dataDir.resolve("quarantine")).doesNotExist();
    }

    @Test
    void blobsLinkedInFromAnotherDiskAreCheckedWhereTheLinkLeads() throws IOException {
        Path elsewhere = Files.createDirectories(dataDir.resolve("other-disk"));
        Path sha512 = dataDir.resolve("blobs/sha512");
        Files.move(sha512, elsewhere.resolve("sha512"));
        Files.createSymbolicLink(sha512, elsewhere.resolve("sha512"));

        FsckReport report = fsck.run(true);

        assertThat(report.problems()).isEmpty();
        assertThat(report.blobsChecked()).isEqualTo(9);
        assertThat(sha512).isSymbolicLink();
    }

    @Test
    void stagingTrashAndQuarantineAreNotContentAndAreNotLookedAt() throws IOException {
        Files.writeString(Files.createDirectories(dataDir.resolve("uploads")).resolve(UUID.randomUUID().toString()),
                "half an upload");
        Files.writeString(Files.createDirectories(dataDir.resolve("trash/sha256/ab")).resolve("ab" + "0".repeat(62)),
                "being collected");
        Files.writeString(Files.createDirectories(dataDir.resolve("quarantine/earlier/sha256/cd"))
                .resolve("cd" + "1".repeat(62)), "quarantined earlier");

        FsckReport report = fsck.run(true);

        assertThat(report.problems()).isEmpty();
        assertThat(report.blobsChecked()).isEqualTo(9);
        assertThat(dataDir.resolve("uploads")).isNotEmptyDirectory();
        assertThat(dataDir.resolve("trash/sha256/ab")).isNotEmptyDirectory();
    }

    // --- blobs/ ------------------------------------------------------------------------------------------------

    @Test
    void aDamagedBlobIsQuarantinedNotDeletedAndPushingItAgainHealsTheStore() throws IOException {
        Path file = blobs.path(layerA);
        byte[] damaged = layerABytes.clone();
        damaged[100] ^= 1;
        Files.write(file, damaged);

        FsckReport found = fsck.run(false);
        assertThat(kinds(found)).containsExactly(Kind.BLOB_CORRUPT, Kind.MANIFEST_REFERENCE_MISSING);
        FsckProblem corrupt = found.problems().getFirst();
        assertThat(corrupt.subject()).isEqualTo(layerA.toString());
        assertThat(corrupt.detail()).contains("blobs/sha256/" + layerA.encoded().substring(0, 2) + "/")
                .contains("held by dev/team/app, qa/team/app");
        assertThat(corrupt.repaired()).isFalse();
        assertThat(found.problems().get(1).subject()).isEqualTo(manifestA.toString());
        assertThat(file).hasBinaryContent(damaged);

        FsckReport repaired = fsck.run(true);
        assertThat(repaired.problems().getFirst().kind()).isEqualTo(Kind.BLOB_CORRUPT);
        assertThat(repaired.problems().getFirst().repaired()).isTrue();
        assertThat(file).doesNotExist();
        List<Path> quarantined = files(dataDir.resolve("quarantine"));
        assertThat(quarantined).singleElement().satisfies(q -> {
            assertThat(q).hasBinaryContent(damaged);
            assertThat(q.toString()).endsWith("sha256/" + layerA.encoded().substring(0, 2) + "/" + layerA.encoded());
            assertThat(repaired.problems().getFirst().repair()).contains(dataDir.relativize(q).toString());
        });

        assertThat(kinds(fsck.run(true))).as("the bytes are gone until pushed again; fsck cannot make them up")
                .containsExactly(Kind.BLOB_FILE_MISSING, Kind.MANIFEST_REFERENCE_MISSING);
        assertThat(metadata.blobSizeIn(QA, layerA)).as("metadata is kept for the content to come back")
                .isEqualTo(layerABytes.length);

        upload(DEV, layerABytes);
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    @Test
    void aPartialBlobUnderADigestIsCorrupt() throws IOException {
        Path file = blobs.path(shared);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));

        FsckReport report = fsck.run(false);

        assertThat(report.problems()).filteredOn(p -> p.kind() == Kind.BLOB_CORRUPT).singleElement()
                .satisfies(p -> {
                    assertThat(p.subject()).isEqualTo(shared.toString());
                    assertThat(p.detail()).contains("holds " + whole.length / 2 + " bytes");
                });
        assertThat(report.problems()).filteredOn(p -> p.kind() == Kind.MANIFEST_REFERENCE_MISSING)
                .extracting(FsckProblem::subject)
                .containsExactlyInAnyOrder(manifestA.toString(), manifestB.toString());
    }

    @Test
    void aBlobWhoseFileIsGoneIsReportedWithWhoHoldsItAndKeptInTheMetadata() throws IOException {
        Files.delete(blobs.path(layerB));

        for (boolean repair : List.of(false, true)) {
            FsckReport report = fsck.run(repair);
            assertThat(kinds(report)).containsExactly(Kind.BLOB_FILE_MISSING, Kind.MANIFEST_REFERENCE_MISSING);
            FsckProblem missing = report.problems().getFirst();
            assertThat(missing.subject()).isEqualTo(layerB.toString());
            assertThat(missing.detail()).contains("held by dev/team/app, qa/team/app");
            assertThat(missing.repaired()).isFalse();
            assertThat(missing.repair()).contains("push the image again");
            assertThat(report.problems().get(1).subject()).isEqualTo(manifestB.toString());
            assertThat(report.problems().get(1).detail()).contains(layerB.toString());
        }
        assertThat(metadata.blobSizeIn(DEV, layerB)).isEqualTo(3000);
    }

    @Test
    void aVerifiedFileWithoutARowGetsItsRowBack() {
        byte[] content = random(777, 5);
        Digest orphan = sha256(content);
        blobs.place(blobs.stage(content), orphan); // the bytes are stored; the crash came before the row

        FsckReport found = fsck.run(false);
        assertThat(found.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.BLOB_UNRECORDED);
            assertThat(p.subject()).isEqualTo(orphan.toString());
            assertThat(p.repaired()).isFalse();
        });
        assertThat(blobRowSize(orphan)).isNull();

        assertThat(fsck.run(true).problems()).singleElement().satisfies(p -> assertThat(p.repaired()).isTrue());
        assertThat(blobRowSize(orphan)).isEqualTo(777L);
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    @Test
    void aDamagedFileWithoutARowIsNotRecorded() throws IOException {
        Digest claimed = sha256("what the name promises".getBytes(StandardCharsets.UTF_8));
        Path file = blobs.path(claimed);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "something else");

        FsckReport report = fsck.run(true);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.BLOB_CORRUPT);
            assertThat(p.detail()).contains("no repository holds it");
        });
        assertThat(blobRowSize(claimed)).isNull();
        assertThat(file).doesNotExist();
    }

    @Test
    void aRowWithTheWrongSizeGetsItsFilesSize() {
        sql("UPDATE blobs SET size = 1 WHERE digest = ?", shared.toString());

        FsckReport found = fsck.run(false);
        assertThat(found.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.BLOB_SIZE_MISMATCH);
            assertThat(p.detail()).contains("records 1 bytes").contains("holds 8192");
        });
        assertThat(metadata.blobSizeIn(DEV, shared)).isEqualTo(1);

        assertThat(kinds(fsck.run(true))).containsExactly(Kind.BLOB_SIZE_MISMATCH);
        assertThat(metadata.blobSizeIn(DEV, shared)).isEqualTo(8192);
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    @Test
    void whatIsNotNamedByItsDigestIsStrayAndMovedToQuarantine() throws IOException {
        Path root = dataDir.resolve("blobs");
        Digest elsewhere = sha256("misplaced".getBytes(StandardCharsets.UTF_8));
        String wrongPrefix = elsewhere.encoded().startsWith("00") ? "01" : "00";
        List<Path> strays = List.of(
                root.resolve("README.txt"),
                root.resolve("sha256").resolve(layerA.encoded().substring(0, 2)).resolve("not-a-digest"),
                root.resolve("sha256").resolve(wrongPrefix).resolve(elsewhere.encoded()),
                root.resolve("md5/d4/d41d8cd98f00b204e9800998ecf8427e"),
                root.resolve("sha256").resolve(shared.encoded().substring(0, 2)).resolve(shared.encoded())
                        .resolveSibling(shared.encoded() + ".tmp"));
        for (Path stray : strays) {
            Files.createDirectories(stray.getParent());
            Files.writeString(stray, "stray " + stray.getFileName());
        }
        Path link = root.resolve("sha256/ff").resolve("f".repeat(64));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, dataDir.resolve("nowhere"));

        FsckReport found = fsck.run(false);
        assertThat(found.problems()).hasSize(6).allSatisfy(p -> {
            assertThat(p.kind()).isEqualTo(Kind.STRAY_FILE);
            assertThat(p.repaired()).isFalse();
        });
        assertThat(found.problems()).extracting(FsckProblem::subject)
                .contains("blobs/README.txt", "blobs/md5/d4/d41d8cd98f00b204e9800998ecf8427e");
        assertThat(strays).allSatisfy(p -> assertThat(p).exists());

        assertThat(fsck.run(true).problems()).hasSize(6).allSatisfy(p -> assertThat(p.repaired()).isTrue());
        assertThat(strays).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(link).doesNotExist();
        Path quarantine = onlyChild(dataDir.resolve("quarantine"));
        for (Path stray : strays) {
            assertThat(quarantine.resolve(root.relativize(stray).toString()))
                    .hasContent("stray " + stray.getFileName());
        }
        assertThat(quarantine.resolve("sha256/ff").resolve("f".repeat(64))).as("a dangling link, moved itself")
                .isSymbolicLink();
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    // --- manifests ---------------------------------------------------------------------------------------------

    @Test
    void aManifestReferencingWhatIsNotStoredIsReportedAndNotPaperedOver() {
        Digest nowhere = sha256("never pushed".getBytes(StandardCharsets.UTF_8));
        Digest noManifest = sha256("never pushed either".getBytes(StandardCharsets.UTF_8));
        sql("INSERT INTO manifest_references (manifest, child, kind) VALUES (?, ?, 'blob')", manifestA.toString(),
                nowhere.toString());
        sql("INSERT INTO manifest_references (manifest, child, kind) VALUES (?, ?, 'manifest')", index.toString(),
                noManifest.toString());

        for (boolean repair : List.of(false, true)) {
            FsckReport report = fsck.run(repair);
            assertThat(report.problems()).hasSize(2).allSatisfy(p -> {
                assertThat(p.kind()).isEqualTo(Kind.MANIFEST_REFERENCE_MISSING);
                assertThat(p.repaired()).isFalse();
                assertThat(p.detail()).contains("which is not stored").contains("held by dev/team/app, qa/team/app");
            });
            assertThat(report.problems()).extracting(FsckProblem::subject)
                    .containsExactlyInAnyOrder(manifestA.toString(), index.toString());
        }
        assertThat(blobRowSize(nowhere)).isNull();
    }

    @Test
    void aRepositoryMissingABlobOfItsManifestGetsTheStoredBlobBack() {
        sql("DELETE FROM repository_blobs WHERE registry = 'qa' AND digest = ?", layerA.toString());
        sql("DELETE FROM repository_blobs WHERE registry = 'qa' AND digest = ?", manifestB.toString());

        FsckReport found = fsck.run(false);
        assertThat(found.problems()).hasSize(2).allSatisfy(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MANIFEST_REFERENCE_MISSING);
            assertThat(p.repaired()).isFalse();
        });
        assertThat(found.problems()).extracting(FsckProblem::subject)
                .containsExactlyInAnyOrder("qa/team/app@" + manifestA, "qa/team/app@" + manifestB);
        assertThat(metadata.blobSizeIn(QA, layerA)).isEqualTo(-1);

        assertThat(fsck.run(true).problems()).hasSize(2).allSatisfy(p -> assertThat(p.repaired()).isTrue());
        assertThat(metadata.blobSizeIn(QA, layerA)).isEqualTo(layerABytes.length);
        assertThat(metadata.blobSizeIn(QA, manifestB)).isPositive();
        assertThat(metadata.blobSizeIn(DEV, layerA)).isEqualTo(layerABytes.length);
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    @Test
    void aRepositoryMissingAChildManifestGetsItAndThenItsBlobsBack() {
        sql("DELETE FROM repository_manifests WHERE registry = 'qa' AND digest = ?", manifestB.toString());
        for (Digest d : List.of(manifestB, configB, layerB)) {
            sql("DELETE FROM repository_blobs WHERE registry = 'qa' AND digest = ?", d.toString());
        }

        assertThat(fsck.run(false).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MANIFEST_REFERENCE_MISSING);
            assertThat(p.subject()).isEqualTo("qa/team/app@" + index);
            assertThat(p.detail()).contains("child manifest " + manifestB);
        });

        FsckReport repaired = fsck.run(true);
        assertThat(repaired.problems()).extracting(FsckProblem::subject).containsExactly(
                "qa/team/app@" + index, "qa/team/app@" + manifestB, "qa/team/app@" + manifestB);
        assertThat(repaired.problems()).allSatisfy(p -> assertThat(p.repaired()).isTrue());
        assertThat(metadata.manifestByDigest(QA, manifestB)).isNotNull();
        assertThat(metadata.blobSizeIn(QA, layerB)).isEqualTo(3000);
        assertThat(metadata.blobSizeIn(QA, configB)).isPositive();
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    @Test
    void aTagPointingAtAManifestItsRepositoryDoesNotHoldGetsTheManifestBack() {
        sql("DELETE FROM repository_manifests WHERE registry = 'dev' AND digest = ?", manifestA.toString());

        FsckReport found = fsck.run(false);
        assertThat(found.problems()).extracting(FsckProblem::kind, FsckProblem::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.TAG_DANGLING, "dev/team/app:1.0"),
                org.assertj.core.groups.Tuple.tuple(Kind.MANIFEST_REFERENCE_MISSING, "dev/team/app@" + index));
        assertThat(metadata.manifestByDigest(DEV, manifestA)).isNull();

        FsckReport repaired = fsck.run(true);
        assertThat(repaired.problems()).as("placing the tag's manifest also completes the index")
                .singleElement().satisfies(p -> {
                    assertThat(p.kind()).isEqualTo(Kind.TAG_DANGLING);
                    assertThat(p.repaired()).isTrue();
                });
        assertThat(metadata.manifestByDigest(DEV, manifestA)).isNotNull();
        assertThat(fsck.run(false).problems()).isEmpty();
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    /** Stores a blob as a completed upload does: staging file, verified digest, rename, then the rows. */
    Digest upload(RepositoryName repo, byte[] content) {
        Digest digest = sha256(content);
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        try {
            Files.write(blobs.uploadPath(id), content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        boolean stored = blobs.exists(digest);
        blobs.prepareUpload(id);
        blobs.placeUpload(id, digest);
        metadata.completeUpload(id, repo, digest, content.length);
        if (!stored) {
            storedBytes += content.length;
        }
        return digest;
    }

    /** Stores a manifest as a push does: its bytes under its digest, then its facts and the tag. */
    Digest pushManifest(RepositoryName repo, String tag, String mediaType, List<Digest> layers,
            List<Digest> children) {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"refs\":\"" + layers + children
                + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest digest = sha256(bytes);
        blobs.place(blobs.stage(bytes), digest);
        storedBytes += bytes.length;
        metadata.putManifest(repo, new NewManifest(digest, mediaType, bytes.length, null, null, null, layers,
                children), tag);
        return digest;
    }

    Long blobRowSize(Digest digest) {
        return Sql.read(db, c -> Sql.first(c, "SELECT size FROM blobs WHERE digest = ?", rs -> rs.getLong(1),
                digest.toString()));
    }

    void sql(String statement, Object... params) {
        Sql.transaction(db, c -> Sql.update(c, statement, params));
    }

    static List<Kind> kinds(FsckReport report) {
        return report.problems().stream().map(FsckProblem::kind).toList();
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    static Path onlyChild(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> children = list.toList();
            assertThat(children).hasSize(1);
            return children.getFirst();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Digest sha256(byte[] content) {
        return new Digest(Digest.SHA256, hex("SHA-256", content));
    }

    static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
