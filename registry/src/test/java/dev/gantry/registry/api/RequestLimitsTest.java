package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.storage.Database;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The configurable limits ({@code gantry.limits.*}), each set small here: the largest blob, requests receiving a body
 * at once, open sessions per repository, the slowest body, the largest management body. Each refusal carries the
 * spec's code and writes nothing; a refused chunk leaves its session able to complete.
 */
@QuarkusTest
@TestProfile(RequestLimitsTest.SmallLimits.class)
class RequestLimitsTest {
    private static final int BLOB_SIZE = 64 * 1024;

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "gantry.data-dir", "target/test-data-limits", // registries made here stay out of the shared store
                    "gantry.limits.blob-size", "64K",
                    "gantry.limits.concurrent-uploads", "2",
                    "gantry.limits.open-uploads-per-repository", "3",
                    "gantry.limits.body-timeout", "2s",
                    "gantry.limits.body-min-bytes", "512",
                    "gantry.limits.management-body-size", "4K");
        }
    }

    @TestHTTPResource("/")
    URL base;
    @Inject
    GantryConfig config;
    @Inject
    Database database;

    // --- blob size -----------------------------------------------------------------------------------------------

    @Test
    void aBlobOfExactlyTheSizeLimitIsStored() {
        String repo = uniqueRepo("dev");
        String digest = pushBlob(repo, randomBytes(BLOB_SIZE, System.nanoTime()));
        given().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(200)
                .header("Content-Length", String.valueOf(BLOB_SIZE));
    }

    @Test
    void aChunkDeclaringMoreThanTheSizeLimitIsRefusedUnreadAndTheSessionCanComplete() throws IOException {
        Upload upload = new Upload(BLOB_SIZE, 60_000);
        StoreSnapshot before = snapshot();

        RawHttp.Answer answer = RawHttp.exchange(base, "PATCH " + upload.location + " HTTP/1.1\r\nHost: r\r\n"
                + "Content-Range: 60000-65999\r\nContent-Length: 6000\r\n\r\n", new byte[0]);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(answer.detail()).contains("would grow past 65536 bytes", "gantry.limits.blob-size");
        assertThat(snapshot().differencesFrom(before)).isEmpty();
        upload.completes();
    }

    @Test
    void aChunkedBodyPassingTheSizeLimitIsCutOffAndItsBytesRolledBack() throws IOException {
        Upload upload = new Upload(BLOB_SIZE, 60_000);
        StoreSnapshot before = snapshot();

        RawHttp.Answer answer;
        try (RawHttp http = new RawHttp(base)) {
            http.send("PATCH " + upload.location + " HTTP/1.1\r\nHost: r\r\nTransfer-Encoding: chunked\r\n\r\n");
            http.sendInBackground(RawHttp.chunked(randomBytes(10_000, 1), 1000));
            answer = http.read();
            assertThat(http.closedByServer()).isTrue();
        }

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(answer.header("Range")).isEqualTo("0-59999");
        assertThat(answer.detail()).contains("would grow past 65536 bytes", "keeps its 60000 bytes");
        assertThat(snapshot().differencesFrom(before)).isEmpty(); // the 5536 bytes that fitted were cut off again
        upload.completes(); // and the running digest follows the file, not the refused bytes
    }

    @Test
    void aMonolithicUploadPassingTheSizeLimitLeavesNoSession() throws IOException {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(BLOB_SIZE + 1, System.nanoTime());
        StoreSnapshot before = snapshot();

        RawHttp.Answer answer;
        try (RawHttp http = new RawHttp(base)) {
            http.send("POST /v2/" + repo + "/blobs/uploads/?digest=" + sha256(content) + " HTTP/1.1\r\nHost: r\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            http.sendInBackground(RawHttp.chunked(content, 4096));
            answer = http.read();
        }

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(answer.header("Location")).isNull(); // the session it opened is gone, not handed out
        assertThat(answer.detail()).contains("would grow past 65536 bytes").doesNotContain("keeps");
        assertThat(snapshot().differencesFrom(before)).isEmpty();
    }

    // --- concurrent uploads --------------------------------------------------------------------------------------

    @Test
    void anUploadBeyondTheConcurrencyLimitIsToldToRetryAndGetsInOnceOneEnds() throws Exception {
        String repo = uniqueRepo("dev");
        CountDownLatch release = new CountDownLatch(1);
        List<Holder> holders = List.of(new Holder(repo, release), new Holder(repo, release));
        String probe = startUpload(repo);

        RawHttp.Answer refused = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> probe(probe), a -> a.status() == 429);
        assertThat(refused.code()).isEqualTo("TOOMANYREQUESTS");
        assertThat(refused.detail()).contains("2 uploads are being received", "gantry.limits.concurrent-uploads");
        assertThat(refused.header("Retry-After")).isEqualTo("1");

        release.countDown();
        for (Holder holder : holders) {
            assertThat(holder.answer().status()).as("a holder's own answer").isEqualTo(202);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> probe(probe).status() == 400);
    }

    @Test
    void aClientThatGoesAwayMidBodyGivesItsPlaceBack() throws Exception {
        String repo = uniqueRepo("dev");
        List<Holder> holders = List.of(new Holder(repo, new CountDownLatch(1)),
                new Holder(repo, new CountDownLatch(1)));
        String probe = startUpload(repo);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> probe(probe).status() == 429);

        for (Holder holder : holders) {
            holder.http.close();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> probe(probe).status() == 400);
    }

    // --- open sessions per repository ----------------------------------------------------------------------------

    @Test
    void aRepositoryWithTooManyOpenSessionsIsToldToRetryUntilOneEnds() throws IOException {
        String repo = uniqueRepo("dev");
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(startUpload(repo));
        }
        StoreSnapshot before = snapshot();

        RawHttp.Answer refused = RawHttp.exchange(base, "POST /v2/" + repo + "/blobs/uploads/ HTTP/1.1\r\n"
                + "Host: r\r\nContent-Length: 0\r\n\r\n", new byte[0]);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("TOOMANYREQUESTS");
        assertThat(refused.detail()).contains("already has 3 open upload sessions",
                "gantry.limits.open-uploads-per-repository");
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(snapshot().differencesFrom(before)).isEmpty();

        startUpload(uniqueRepo("dev")); // other repositories are not affected
        given().delete(sessions.getFirst()).then().statusCode(204);
        sessions.set(0, startUpload(repo));
        // an expired session no longer counts
        UploadAge.makeOlderThan(database, config.limits().uploadLifetime(), id(sessions.get(1)));
        startUpload(repo);
    }

    // --- slow bodies ---------------------------------------------------------------------------------------------

    @Test
    void aBodyThatStopsShortOfItsContentLengthIsCutOffAndTheUploadResumes() throws IOException {
        Upload upload = new Upload(2000, 0);

        RawHttp.Answer answer;
        try (RawHttp http = new RawHttp(base)) {
            http.send("PATCH " + upload.location + " HTTP/1.1\r\nHost: r\r\nContent-Length: 2000\r\n\r\n");
            http.send(Arrays.copyOf(upload.content, 1000)); // and then nothing: the length was a lie
            answer = http.read();
            assertThat(http.closedByServer()).isTrue();
        }

        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(answer.detail()).contains("fewer than 512", "gantry.limits.body-timeout",
                "1000 bytes were received");
        assertThat(answer.header("Range")).isEqualTo("0-999");
        assertThat(blobFile(upload.digest)).doesNotExist();
        given().get(upload.location).then().statusCode(204).header("Range", "0-999");
        upload.offset = 1000;
        upload.completes();
    }

    @Test
    void aTricklingBodyIsCutOffAndNothingIsStoredUnderItsDigest() throws Exception {
        Upload upload = new Upload(60_000, 0);

        RawHttp.Answer answer;
        try (RawHttp http = new RawHttp(base)) {
            http.send("PUT " + upload.location + "?digest=" + upload.digest + " HTTP/1.1\r\nHost: r\r\n"
                    + "Content-Length: 60000\r\n\r\n");
            Thread trickle = Thread.ofVirtual().start(() -> {
                for (int at = 0; at < 60_000; at += 16) { // 160 bytes a second, well under 512
                    try {
                        http.send(Arrays.copyOfRange(upload.content, at, at + 16));
                        Thread.sleep(100);
                    } catch (IOException | InterruptedException e) {
                        return; // cut off
                    }
                }
            });
            answer = http.read();
            trickle.interrupt();
        }

        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(blobFile(upload.digest)).doesNotExist();
        given().head("/v2/" + upload.repo + "/blobs/" + upload.digest).then().statusCode(404);
        given().get(upload.location).then().statusCode(204); // resumable with what trickled in
    }

    @Test
    void aManifestThatStopsArrivingIsCutOffAndNothingIsStored() throws IOException {
        String repo = uniqueRepo("dev");
        StoreSnapshot before = snapshot();

        RawHttp.Answer answer;
        try (RawHttp http = new RawHttp(base)) {
            http.send("PUT /v2/" + repo + "/manifests/1 HTTP/1.1\r\nHost: r\r\nContent-Type: "
                    + Oci.OCI_MANIFEST + "\r\nContent-Length: 1000\r\n\r\n{\"schemaVersion\":2,");
            answer = http.read();
        }

        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.code()).isEqualTo("MANIFEST_INVALID");
        assertThat(snapshot().differencesFrom(before)).isEmpty();
    }

    @Test
    void aClientThatAsksBeforeSendingIsToldToContinueOnlyWhenItsBodyIsWanted() throws IOException {
        Upload upload = new Upload(2000, 0);
        try (RawHttp http = new RawHttp(base)) {
            http.send("PATCH " + upload.location + " HTTP/1.1\r\nHost: r\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 1000\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(100);
            http.send(Arrays.copyOf(upload.content, 1000));
            assertThat(http.read().status()).isEqualTo(202);
        }
        try (RawHttp http = new RawHttp(base)) {
            http.send("PATCH " + upload.location + " HTTP/1.1\r\nHost: r\r\nExpect: 100-continue\r\n"
                    + "Content-Range: 1000-65999\r\nContent-Length: 65000\r\n\r\n");
            assertThat(http.read().status()).as("refused on its headers, without a 100").isEqualTo(413);
        }
        upload.offset = 1000;
        upload.completes();
    }

    // --- management bodies ---------------------------------------------------------------------------------------

    @Test
    void aManagementBodyOverItsLimitIsRefusedWhetherDeclaredOrChunked() throws IOException {
        String name = "big" + System.nanoTime();
        byte[] json = ("{\"type\":\"Local\",\"padding\":\"" + "p".repeat(5000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);

        RawHttp.Answer declared = RawHttp.exchange(base, "PUT /api/v1/registries/" + name + " HTTP/1.1\r\nHost: r\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n", json);
        RawHttp.Answer chunked;
        try (RawHttp http = new RawHttp(base)) {
            http.send("PUT /api/v1/registries/" + name + " HTTP/1.1\r\nHost: r\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            http.sendInBackground(RawHttp.chunked(json, 1000));
            chunked = http.read();
        }

        for (RawHttp.Answer answer : List.of(declared, chunked)) {
            assertThat(answer.status()).as("%s", answer).isEqualTo(413);
            assertThat(new io.vertx.core.json.JsonObject(new String(answer.body(), StandardCharsets.UTF_8))
                    .getString("code")).isEqualTo("BODY_TOO_LARGE");
        }
        given().get("/api/v1/registries/" + name).then().statusCode(404);
        given().contentType("application/json").body("{\"type\":\"Local\"}").put("/api/v1/registries/" + name)
                .then().statusCode(201); // a body within the limit still reaches the API
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** A fresh blob of {@code size} bytes and an open session already holding its first {@code offset}. */
    private final class Upload {
        final String repo = uniqueRepo("dev");
        final byte[] content;
        final String digest;
        final String location;
        int offset;

        Upload(int size, int offset) {
            this.content = randomBytes(size, System.nanoTime());
            this.digest = sha256(content);
            this.location = startUpload(repo);
            this.offset = offset;
            if (offset > 0) {
                given().contentType("application/octet-stream").header("Content-Range", "0-" + (offset - 1))
                        .body(Arrays.copyOf(content, offset)).patch(location).then().statusCode(202);
            }
        }

        /** Sends the rest and closes the upload; the stored blob must be the content, byte for byte. */
        void completes() throws IOException {
            given().contentType("application/octet-stream").header("Content-Range", offset + "-" + (content.length - 1))
                    .body(Arrays.copyOfRange(content, offset, content.length)).put(location + "?digest=" + digest)
                    .then().statusCode(201);
            assertThat(Files.readAllBytes(blobFile(digest))).isEqualTo(content);
        }
    }

    /** A PATCH that streams 1 KiB every 100 ms (fast enough for the rate limit) until released, then finishes. */
    private final class Holder {
        final RawHttp http;
        final Thread writer;

        Holder(String repo, CountDownLatch release) throws IOException {
            byte[] content = randomBytes(60_000, System.nanoTime());
            http = new RawHttp(base);
            http.send("PATCH " + startUpload(repo) + " HTTP/1.1\r\nHost: r\r\nContent-Length: 60000\r\n\r\n");
            writer = Thread.ofVirtual().start(() -> {
                try {
                    int at = 0;
                    for (; at < 50_000 && !release.await(100, java.util.concurrent.TimeUnit.MILLISECONDS); at += 1024) {
                        http.send(Arrays.copyOfRange(content, at, at + 1024));
                    }
                    http.send(Arrays.copyOfRange(content, at, content.length));
                } catch (IOException | InterruptedException e) {
                    // closed by the test
                }
            });
        }

        RawHttp.Answer answer() throws IOException {
            try (http) {
                return http.read();
            }
        }
    }

    /** A side-effect-free upload request that must pass the concurrency gate: 429 when full, else 400. */
    private RawHttp.Answer probe(String location) throws IOException {
        return RawHttp.exchange(base, "PUT " + location + "?digest=sha256:bad HTTP/1.1\r\nHost: r\r\n"
                + "Content-Length: 0\r\n\r\n", new byte[0]);
    }

    private static String startUpload(String repo) {
        return given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202).extract().header("Location");
    }

    private StoreSnapshot snapshot() {
        return StoreSnapshot.take(config.dataDir(), database);
    }

    private static String id(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private Path blobFile(String digest) {
        return config.dataDir().resolve("blobs/sha256").resolve(digest.substring(7, 9)).resolve(digest.substring(7));
    }
}
