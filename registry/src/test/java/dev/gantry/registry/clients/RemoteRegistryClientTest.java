package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote registries (pull-through caches) in front of a real upstream, Debian's docker-registry on loopback, standing
 * in for Docker Hub: caching, tag freshness, {@code Never}, an upstream outage, basic auth, and a virtual registry over
 * a local and a remote one.
 */
@QuarkusTest
class RemoteRegistryClientTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static Upstream anonymous;
    private static Upstream withAuth;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startUpstreams() throws Exception {
        TestRegistry.assumeGantry("remote registries are Gantry's");
        anonymous = Upstream.start(false);
        withAuth = Upstream.start(true);
    }

    @AfterAll
    static void stopUpstreams() throws Exception {
        if (anonymous != null) {
            anonymous.close();
        }
        if (withAuth != null) {
            withAuth.close();
        }
    }

    @Test
    void anImageIsPulledThroughTheRemoteRegistryByteForByteAndStaysCached() {
        String remote = remote(anonymous, "6h", false);
        String repo = "lib/" + unique();
        TestImages.Image image = TestImages.singlePlatform(300, "amd64", 300 * KIB, 200 * KIB);
        anonymous.push(image, repo, "1.0");

        OciLayout pulled = Skopeo.pull(remote + "/" + repo, "1.0", tmp.resolve("pulled"));
        same(image, pulled);

        Skopeo.copy(TestRegistry.docker(remote + "/" + repo, "1.0"), "oci:" + tmp.resolve("again") + ":x");
        given().accept(OCI_MANIFEST).get("/v2/" + remote + "/" + repo + "/manifests/" + image.digest()).then()
                .statusCode(200);
    }

    @Test
    void aCachedTagIsTrustedForItsFreshnessPeriodThenAskedAgain() throws Exception {
        // Long enough that a slow push on a loaded machine still lands inside it.
        String remote = remote(anonymous, "6s", false);
        String repo = "lib/" + unique();
        TestImages.Image first = TestImages.singlePlatform(301, "amd64", 10 * KIB);
        TestImages.Image second = TestImages.singlePlatform(302, "amd64", 10 * KIB);
        anonymous.push(first, repo, "stable");
        assertThat(digestOf(remote, repo, "stable")).isEqualTo(first.digest());
        long cachedAt = System.nanoTime();

        anonymous.push(second, repo, "stable");
        assertThat(digestOf(remote, repo, "stable")).as("still fresh").isEqualTo(first.digest());
        assertThat(System.nanoTime() - cachedAt).as("checked within the freshness period")
                .isLessThan(6_000_000_000L);
        Thread.sleep(Math.max(0, 6_500 - (System.nanoTime() - cachedAt) / 1_000_000));
        assertThat(digestOf(remote, repo, "stable")).as("expired, asked again").isEqualTo(second.digest());
    }

    @Test
    void anExpiredTagThatDidNotMoveIsConfirmedWithAHeadNotFetchedAgain() throws Exception {
        String remote = remote(anonymous, "1s", false);
        String repo = "lib/" + unique();
        TestImages.Image image = TestImages.singlePlatform(310, "amd64", 10 * KIB);
        anonymous.push(image, repo, "1");
        assertThat(digestOf(remote, repo, "1")).isEqualTo(image.digest());
        Thread.sleep(1_200);
        assertThat(digestOf(remote, repo, "1")).isEqualTo(image.digest());
        String path = "/v2/" + repo + "/manifests/1";
        assertThat(anonymous.requests("GET", path)).as("manifest fetched once").isEqualTo(1);
        assertThat(anonymous.requests("HEAD", path)).as("re-checked with a HEAD").isEqualTo(1);
    }

    @Test
    void withFreshnessNeverACachedTagIsTrustedForever() throws Exception {
        String remote = remote(anonymous, "Never", false);
        String repo = "lib/" + unique();
        TestImages.Image first = TestImages.singlePlatform(303, "amd64", 10 * KIB);
        anonymous.push(first, repo, "1");
        assertThat(digestOf(remote, repo, "1")).isEqualTo(first.digest());
        TestImages.Image second = TestImages.singlePlatform(304, "amd64", 10 * KIB);
        anonymous.push(second, repo, "1");
        Thread.sleep(1_000);
        assertThat(digestOf(remote, repo, "1")).isEqualTo(first.digest());

        given().post("/api/v1/registries/" + remote + "/repositories/" + repo + "/tags/1/refresh").then()
                .statusCode(200).body("digest", equalTo(second.digest()));
        assertThat(digestOf(remote, repo, "1")).as("refreshed").isEqualTo(second.digest());
    }

    @Test
    void whenTheUpstreamIsDownCachedContentIsStillServed() throws Exception {
        try (Upstream flaky = Upstream.start(false)) {
            String remote = remote(flaky, "1s", false);
            String repo = "lib/" + unique();
            TestImages.Image image = TestImages.singlePlatform(305, "amd64", 50 * KIB);
            flaky.push(image, repo, "1");
            Skopeo.pull(remote + "/" + repo, "1", tmp.resolve("warm"));

            flaky.stop();
            Thread.sleep(1_200); // the tag is stale now: the upstream would be asked, and cannot answer
            OciLayout pulled = Skopeo.pull(remote + "/" + repo, "1", tmp.resolve("cold"));
            same(image, pulled);
            given().get("/v2/" + remote + "/" + repo + "/manifests/never-cached").then().statusCode(502)
                    .body("errors[0].detail", containsString("cannot reach its upstream"));
        }
    }

    @Test
    void anUpstreamWithBasicAuthIsReadWithTheRegistrysCredentials() {
        String repo = "private/" + unique();
        TestImages.Image image = TestImages.singlePlatform(306, "amd64", 20 * KIB);
        withAuth.push(image, repo, "1");

        String authorised = remote(withAuth, "6h", true);
        same(image, Skopeo.pull(authorised + "/" + repo, "1", tmp.resolve("p")));

        String anonymousView = remote(withAuth, "6h", false);
        given().get("/v2/" + anonymousView + "/" + repo + "/manifests/1").then().statusCode(502);
    }

    @Test
    void pushingIntoARemoteRegistryIsDeniedWithHowImagesReachIt() {
        String remote = remote(anonymous, "6h", false);
        given().post("/v2/" + remote + "/lib/x/blobs/uploads/").then().statusCode(403)
                .body("errors[0].code", equalTo("DENIED"))
                .body("errors[0].detail", containsString("pull-through cache of " + anonymous.url()));
    }

    @Test
    void aVirtualRegistryResolvesOverALocalAndARemoteRegistryInOrder() {
        String remote = remote(anonymous, "6h", false);
        String name = unique();
        TestImages.Image upstreamOnly = TestImages.singlePlatform(307, "amd64", 10 * KIB);
        TestImages.Image local = TestImages.singlePlatform(308, "amd64", 10 * KIB);
        TestImages.Image shadowed = TestImages.singlePlatform(309, "amd64", 10 * KIB);
        anonymous.push(upstreamOnly, "lib/" + name, "base");
        anonymous.push(shadowed, "lib/" + name, "app");
        Skopeo.push(local, "dev/lib/" + name, "app");

        String virtual = "v" + name.substring(0, 8);
        given().contentType("application/json").body(Map.of("type", "Virtual", "members", List.of("dev", remote),
                "deployTo", "dev")).put("/api/v1/registries/" + virtual).then().statusCode(201);

        assertThat(digestOf(virtual, "lib/" + name, "base")).isEqualTo(upstreamOnly.digest());
        assertThat(digestOf(virtual, "lib/" + name, "app")).as("dev comes first").isEqualTo(local.digest());
        same(upstreamOnly, Skopeo.pull(virtual + "/lib/" + name, "base", tmp.resolve("v")));
    }

    private static void same(TestImages.Image expected, OciLayout pulled) {
        ImageAssertions.assertSameImage(expected.layout(), expected.tag(), pulled, "pulled");
    }

    private static String remote(Upstream upstream, String freshness, boolean credentials) {
        String name = "hub" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> up = new HashMap<>(Map.of("url", upstream.url(), "tagFreshness", freshness));
        if (credentials) {
            up.put("username", Upstream.USER);
            up.put("password", Upstream.PASSWORD);
        }
        given().contentType("application/json").body(Map.of("type", "Remote", "upstream", up))
                .put("/api/v1/registries/" + name).then().statusCode(201)
                .body("spec.upstream.password", org.hamcrest.Matchers.nullValue());
        return name;
    }

    private static String digestOf(String registry, String repo, String tag) {
        return given().accept(OCI_MANIFEST).get("/v2/" + registry + "/" + repo + "/manifests/" + tag).then()
                .statusCode(200).extract().header("Docker-Content-Digest");
    }

    private static String unique() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
