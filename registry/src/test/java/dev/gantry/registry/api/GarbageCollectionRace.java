package dev.gantry.registry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Garbage collection racing pushes, mounts and promotions. The grace period is one second and the untagged
 * retention zero, and the collector runs back to back, so it is always removing something the writers are about
 * to use: layers of garbage manifests that pushes mount, untagged images that promotions copy by digest. A push may
 * then fail (MANIFEST_BLOB_UNKNOWN: a layer went before the manifest came; the client retries) and a promotion may be
 * refused (SOURCE_UNKNOWN: the untagged image was collected first), but every tagged push and every promotion that
 * reported success must be whole afterwards, to the last byte. (An untagged push may be collected after its success:
 * that is what a retention of zero asks for.) Run on SQLite ({@link GarbageCollectionRaceTest}) and PostgreSQL
 * ({@link PostgresGarbageCollectionRaceTest}).
 */
abstract class GarbageCollectionRace {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRITERS = 3;
    private static final int IMAGES_PER_WRITER = 10;
    private static final int ATTEMPTS = 8;

    private final HttpClient http = HttpClient.newHttpClient();

    record Pushed(String tag, String digest, List<String> blobs) {
    }

    @Test
    void everyReportedPushAndPromotionIsWholeAfterCollectionsRacedThem() throws Exception {
        String repo = "race" + UUID.randomUUID().toString().substring(0, 8) + "/app";
        String junk = repo + "-junk";
        assertThat(send("PUT", "/api/v1/registries/dev", "application/json",
                "{\"type\":\"Local\",\"allowPush\":true,\"untaggedRetention\":\"0s\"}").statusCode()).isEqualTo(200);

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong runs = new AtomicLong();
        AtomicLong blobsRemoved = new AtomicLong();
        AtomicLong manifestsRemoved = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<byte[]> garbageLayers = Collections.synchronizedList(new ArrayList<>());
        List<Pushed> pushed = Collections.synchronizedList(new ArrayList<>());
        List<Pushed> promoted = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        try {
            Future<?> collector = pool.submit(() -> {
                while (!done.get()) {
                    HttpResponse<String> gc = send("POST", "/api/v1/gc", null, null);
                    assertThat(gc.statusCode()).as(gc.body()).isEqualTo(200);
                    JsonNode report = JSON.readTree(gc.body());
                    runs.incrementAndGet();
                    blobsRemoved.addAndGet(report.get("blobsRemoved").asLong());
                    manifestsRemoved.addAndGet(report.get("manifestsRemoved").asLong());
                }
                return null;
            });
            Future<?> garbage = pool.submit(() -> {
                for (long n = 0; !done.get(); n++) {
                    // A new layer under an untagged manifest: garbage a second later, unless a push mounts it first.
                    byte[] layer = Oci.randomBytes(32 * 1024, 7_000_000 + n);
                    upload(junk, layer);
                    garbageLayers.add(layer);
                    byte[] manifest = manifest(upload(junk, config(-1 - n)), List.of(sha256(layer)), layer.length);
                    int status = putManifest(junk, sha256(manifest), manifest).statusCode();
                    assertThat(status).isIn(201, 404); // 404 MANIFEST_BLOB_UNKNOWN: the collector was first
                    Thread.sleep(50);
                }
                return null;
            });
            while (garbageLayers.size() < 3) {
                Thread.sleep(20);
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < IMAGES_PER_WRITER; i++) {
                        boolean tagged = i % 2 == 0;
                        Pushed image = push(repo, junk, tagged ? "w" + writer + "-" + i : null, garbageLayers,
                                writer * 1000L + i);
                        if (tagged) {
                            pushed.add(image);
                        } else {
                            Thread.sleep(ThreadLocalRandom.current().nextInt(1500)); // the collector may come first
                        }
                        HttpResponse<String> promotion = send("POST", "/api/v1/promotions", "application/json",
                                "{\"repository\":\"" + repo + "\",\"from\":\"dev\",\"to\":\"qa\",\""
                                        + (tagged ? "tag\":\"" + image.tag() : "digest\":\"" + image.digest())
                                        + "\"}");
                        if (promotion.statusCode() == 201) {
                            assertThat(JSON.readTree(promotion.body()).get("digest").asText())
                                    .isEqualTo(image.digest());
                            promoted.add(image);
                        } else {
                            assertThat(tagged).as("a tagged image is never collected: " + promotion.body())
                                    .isFalse();
                            assertThat(promotion.statusCode()).as(promotion.body()).isEqualTo(404);
                            assertThat(promotion.body()).contains("SOURCE_UNKNOWN");
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            done.set(true);
            collector.get();
            garbage.get();
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        Thread.sleep(1100);
        assertThat(send("POST", "/api/v1/gc", null, null).statusCode()).isEqualTo(200);

        assertThat(runs.get()).as("collections that raced the writers").isGreaterThanOrEqualTo(5);
        assertThat(blobsRemoved.get()).as("the collector removed blobs while the writers ran").isPositive();
        assertThat(manifestsRemoved.get()).as("and untagged manifests").isPositive();
        assertThat(pushed).hasSize(WRITERS * ((IMAGES_PER_WRITER + 1) / 2));
        assertThat(promoted.size() + refused.get()).isEqualTo(WRITERS * IMAGES_PER_WRITER);
        assertThat(promoted.size()).isGreaterThan(pushed.size());
        for (Pushed image : pushed) {
            assertWhole("dev/" + repo, image.tag(), image);
        }
        for (Pushed image : promoted) {
            assertWhole("qa/" + repo, image.digest(), image);
            JsonNode history = JSON.readTree(send("GET", "/api/v1/promotions?digest=" + image.digest(), null, null)
                    .body());
            assertThat(history.toString()).contains("\"to\":\"qa\"").contains(repo);
        }
    }

    /**
     * Pushes an image (a unique config and layer, and a garbage layer mounted from the junk repository while it is
     * still there), under a tag or by digest, retrying when the collector took a layer before the manifest came.
     */
    private Pushed push(String repo, String junk, String tag, List<byte[]> garbage, long seed) throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            byte[] config = config(seed * 100 + attempt);
            byte[] own = Oci.randomBytes(16 * 1024, seed * 100 + attempt);
            byte[] common;
            synchronized (garbage) { // one of the newest garbage layers: the ones the collector is about to take
                common = garbage.get(Math.max(0, garbage.size() - 1 - ThreadLocalRandom.current().nextInt(3)));
            }
            String configDigest = upload(repo, config);
            String ownDigest = upload(repo, own);
            String commonDigest = sha256(common);
            HttpResponse<String> mount = send("POST", "/v2/dev/" + repo + "/blobs/uploads/?mount=" + commonDigest
                    + "&from=dev/" + junk, null, null);
            if (mount.statusCode() != 201) {
                assertThat(mount.statusCode()).isEqualTo(202); // not there any more: an upload instead
                send("DELETE", mount.headers().firstValue("Location").orElseThrow(), null, null);
                upload(repo, common);
            }
            byte[] manifest = manifest(configDigest, List.of(ownDigest, commonDigest), own.length);
            HttpResponse<String> put = putManifest(repo, tag != null ? tag : sha256(manifest), manifest);
            if (put.statusCode() == 201) {
                return new Pushed(tag, sha256(manifest), List.of(configDigest, ownDigest, commonDigest));
            }
            assertThat(put.statusCode()).as(put.body()).isEqualTo(404);
            assertThat(put.body()).contains("MANIFEST_BLOB_UNKNOWN");
        }
        throw new AssertionError("push of " + tag + " failed " + ATTEMPTS + " times in a row");
    }

    private void assertWhole(String repo, String reference, Pushed image) throws Exception {
        HttpResponse<byte[]> manifest = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/" + repo
                + "/manifests/" + reference)).header("Accept", Oci.OCI_MANIFEST).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(manifest.statusCode()).as(repo + ":" + reference).isEqualTo(200);
        assertThat(sha256(manifest.body())).isEqualTo(image.digest());
        for (String blob : image.blobs()) {
            HttpResponse<byte[]> content = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/" + repo
                    + "/blobs/" + blob)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(content.statusCode()).as(repo + " " + blob).isEqualTo(200);
            assertThat(sha256(content.body())).isEqualTo(blob);
        }
    }

    private String upload(String repo, byte[] content) throws IOException, InterruptedException {
        String digest = sha256(content);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/dev/" + repo
                + "/blobs/uploads/?digest=" + digest)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return digest;
    }

    private HttpResponse<String> putManifest(String repo, String reference, byte[] manifest)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/dev/" + repo + "/manifests/" + reference))
                .header("Content-Type", Oci.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path
                : base() + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The test server's address (known once Quarkus has started it, not at construction). */
    private static String base() {
        return "http://localhost:" + RestAssured.port;
    }

    private static byte[] config(long seed) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + ",\"n\":" + new Random(seed)
                .nextLong() + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] manifest(String config, List<String> layers, long size) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + Oci.OCI_MANIFEST
                + "\",\"config\":" + Oci.descriptor("application/vnd.oci.image.config.v1+json", config, 10)
                + ",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i == 0 ? "" : ",").append(Oci.descriptor("application/vnd.oci.image.layer.v1.tar",
                    layers.get(i), size));
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] content) {
        return Oci.sha256(content);
    }
}
