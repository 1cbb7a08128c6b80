package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static dev.gantry.registry.clients.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion ({@code POST /api/v1/promotions}) with real clients around it: skopeo pushes to {@code dev}, the
 * management API promotes, and skopeo or containerd pull from the target registry, compared byte for byte. Promotion
 * copies no blob: the target registry gains references only, so the blob store does not grow. Gantry-only by nature.
 */
@QuarkusTest
class PromotionClientTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void onlyGantryPromotes() {
        TestRegistry.assumeGantry("registries (dev/qa/staging/prod) and the promotion API are Gantry's own");
    }

    /** A repository path inside the registries, unique per test and run: the store under target/ survives runs. */
    private static String uniquePath() {
        return "promo-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "/app";
    }

    private static HttpResponse<byte[]> promote(Map<String, Object> body) {
        return RegistryHttp.send(RegistryHttp.request("/api/v1/promotions")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject(body).encode()))
                .build());
    }

    private static Map<String, Object> promotion(String path, String from, String to, String key, String value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repository", path);
        body.put("from", from);
        body.put("to", to);
        body.put(key, value);
        return body;
    }

    /** Promotes and asserts 201 with a record naming the digest; returns the record. */
    private static JsonObject promoted(Map<String, Object> body, String expectedDigest) {
        HttpResponse<byte[]> response = promote(body);
        assertThat(response.statusCode()).as("promotion %s: %s", body, RegistryHttp.describe(response))
                .isEqualTo(201);
        JsonObject record = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
        assertThat(record.getString("digest")).as(RegistryHttp.describe(response)).isEqualTo(expectedDigest);
        assertThat(record.getString("repository")).as(RegistryHttp.describe(response))
                .isEqualTo(body.get("repository"));
        assertThat(record.getString("from")).as(RegistryHttp.describe(response)).isEqualTo(body.get("from"));
        assertThat(record.getString("to")).as(RegistryHttp.describe(response)).isEqualTo(body.get("to"));
        assertThat(response.headers().firstValue("Location")).as(RegistryHttp.describe(response))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/promotions/" + record.getString("id")));
        return record;
    }

    private static List<String> tags(JsonObject record) {
        return record.getJsonArray("tags").stream().map(String.class::cast).toList();
    }

    @Test
    void anImagePushedToDevWithSkopeoIsPulledFromQaByDigestByteForByteAfterPromotion() {
        Image image = TestImages.singlePlatform(41, "amd64", MIB, 512 * KIB, 64 * KIB);
        String path = uniquePath();
        Skopeo.push(image, "dev/" + path, "1");

        JsonObject record = promoted(promotion(path, "dev", "qa", "tag", "1"), image.digest());

        assertThat(tags(record)).as(record.encode()).containsExactly("1");
        assertThat(Skopeo.inspectRaw("qa/" + path, image.digest())).as("the manifest as qa serves it")
                .isEqualTo(image.rootBytes());
        OciLayout byDigest = Skopeo.pull("qa/" + path, image.digest(), tmp.resolve("by-digest"));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), byDigest, "pulled");
        assertThat(byDigest.blob(image.digest())).as("manifest bytes pulled from qa").isEqualTo(image.rootBytes());
        // The tag travelled with the digest.
        OciLayout byTag = Skopeo.pull("qa/" + path, "1", tmp.resolve("by-tag"));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), byTag, "pulled");
        assertThat(Skopeo.listTags("qa/" + path)).containsExactly("1");
    }

    @Test
    void containerdPullsThePromotedDigestFromQa() {
        Image image = TestImages.singlePlatform(42, "amd64", 768 * KIB, 256 * KIB);
        String path = uniquePath();
        Skopeo.push(image, "dev/" + path, "1");
        String reference = TestRegistry.reference("qa/" + path, image.digest());

        try (PrivateContainerd containerd = PrivateContainerd.start()) {
            CommandRunner.Result before = containerd.run("before", "images", "pull", "--plain-http",
                    "--platform", "linux/amd64", reference);
            assertThat(before.succeeded()).as("pull from qa before promotion must fail\n" + before.describe())
                    .isFalse();
            assertThat(before.stderr() + before.stdout()).as(before.describe()).containsIgnoringCase("not found");

            promoted(promotion(path, "dev", "qa", "digest", image.digest()), image.digest());

            containerd.ok("after", "images", "pull", "--plain-http", "--platform", "linux/amd64", reference);
            assertThat(containerd.imageDigest("after", reference)).isEqualTo(image.digest());
            assertThat(containerd.contentDigests("after")).containsAll(image.blobDigests()).contains(image.digest());
        }
    }

    @Test
    void aMultiPlatformIndexIsPromotedWithEveryPlatform() {
        Image index = TestImages.multiPlatform(43, 256 * KIB, 384 * KIB);
        String path = uniquePath();
        Skopeo.push(index, "dev/" + path, "1");

        JsonObject record = promoted(promotion(path, "dev", "qa", "digest", index.digest()), index.digest());

        assertThat(tags(record)).as("a promotion by digest carries no tag: " + record.encode())
                .isEmpty();
        assertThat(Skopeo.inspectRaw("qa/" + path, index.digest())).as("the index as qa serves it")
                .isEqualTo(index.rootBytes());
        OciLayout pulled = Skopeo.pull("qa/" + path, index.digest(), tmp.resolve("all"), "--all",
                "--preserve-digests");
        ImageAssertions.assertSameImage(index.layout(), index.tag(), pulled, "pulled");
        for (String platform : List.of("amd64", "arm64")) {
            OciLayout.Descriptor manifest = index.layout().resolve(platform);
            OciLayout one = Skopeo.pull("qa/" + path, manifest.digest(), tmp.resolve(platform));
            ImageAssertions.assertSameImage(index.layout(), platform, one, "pulled");
        }
    }

    @Test
    void aRefusedPromotionLeavesTheTargetWithoutTheImage() {
        Image image = TestImages.singlePlatform(44, "amd64", 128 * KIB);
        String path = uniquePath();
        Skopeo.push(image, "dev/" + path, "1");

        for (Map<String, Object> body : List.of(promotion(path, "dev", "staging", "digest", image.digest()),
                promotion(path, "dev", "staging", "tag", "1"))) {
            HttpResponse<byte[]> refused = promote(body);
            assertThat(refused.statusCode()).as(RegistryHttp.describe(refused)).isEqualTo(403);
            JsonObject error = new JsonObject(new String(refused.body(), StandardCharsets.UTF_8));
            assertThat(error.getString("code")).as(RegistryHttp.describe(refused)).isEqualTo("PROMOTION_NOT_ALLOWED");
            assertThat(error.getString("message")).as(RegistryHttp.describe(refused)).isNotBlank();
        }

        CommandRunner.Result byDigest = Skopeo.inspectExpectingFailure("staging/" + path, image.digest());
        assertThat(byDigest.stderr()).as(byDigest.describe()).containsIgnoringCase("manifest unknown");
        Skopeo.inspectExpectingFailure("staging/" + path, "1");
        HttpResponse<byte[]> head = RegistryHttp.headManifest("staging/" + path, image.digest());
        assertThat(head.statusCode()).as(RegistryHttp.describe(head)).isEqualTo(404);
        // The source is untouched.
        assertThat(Skopeo.inspectRaw("dev/" + path, image.digest())).isEqualTo(image.rootBytes());
    }

    @Test
    void promotionUsesNoExtraDisk() {
        Image image = TestImages.singlePlatform(45, "amd64", MIB, 256 * KIB);
        String path = uniquePath();
        Skopeo.push(image, "dev/" + path, "1");
        Path blobs = Path.of(ConfigProvider.getConfig().getValue("gantry.data-dir", String.class)).resolve("blobs");
        BlobStoreUsage before = BlobStoreUsage.of(blobs);
        assertThat(before.files()).as("files in %s", blobs.toAbsolutePath()).isPositive();

        String from = "dev";
        for (String to : List.of("qa", "staging", "prod")) {
            promoted(promotion(path, from, to, "tag", "1"), image.digest());
            from = to;
        }

        assertThat(BlobStoreUsage.of(blobs)).as("blob store %s after dev -> qa -> staging -> prod",
                blobs.toAbsolutePath()).isEqualTo(before);
        OciLayout pulled = Skopeo.pull("prod/" + path, "1", tmp.resolve("prod"));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");
    }

    /** Number and total size of the regular files under the blob store. */
    private record BlobStoreUsage(long files, long bytes) {

        static BlobStoreUsage of(Path dir) {
            assertThat(dir).as("the %%test blob store").isDirectory();
            long files = 0;
            long bytes = 0;
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path file : paths.filter(Files::isRegularFile).toList()) {
                    files++;
                    bytes += Files.size(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new BlobStoreUsage(files, bytes);
        }
    }
}
