package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control as real clients meet it: robots minted by the admin through the management API, skopeo and podman
 * going through the Docker token flow (401 challenge, {@code GET /token} with Basic, then Bearer), containerd sending
 * Basic credentials, promotion by an operator, and refusals that each client reports as an auth refusal (401/403,
 * "unauthorized", "denied"), not as some other error. Gantry-only by nature; its own auth-on profile and data dir.
 */
@QuarkusTest
@TestProfile(AuthClientTest.AuthOn.class)
class AuthClientTest {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "bootstrap-" + UUID.randomUUID();

    /** Unique per run: robot names and repository paths (the data dir under target/ survives runs). */
    private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    private static String ci;
    private static String ciSecret;
    private static String qa;
    private static String qaSecret;
    private static String operator;
    private static String operatorSecret;

    private static Path podmanStorage;

    @TempDir
    Path tmp;

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.auth.enabled", "true", "gantry.auth.admin-password", ADMIN_PASSWORD,
                    "gantry.data-dir", "target/test-data-auth-clients");
        }
    }

    /** Once per class, lazily: the server is only known to be up (and its port known) once a test runs. */
    @BeforeEach
    void robots() {
        TestRegistry.assumeGantry("robots, the token flow and promotion are Gantry's own");
        if (ci != null) {
            return;
        }
        ci = "ci-" + RUN;
        ciSecret = mint(ci, grant("dev", "pull", "push"));
        qa = "qa-" + RUN;
        qaSecret = mint(qa, grant("qa", "pull"));
        operator = "op-" + RUN;
        operatorSecret = mint(operator, grant("*", "pull", "promote"));
    }

    @AfterAll
    static void removePodmanStorage() {
        TestImages.deleteRecursively(podmanStorage);
        podmanStorage = null;
    }

    @Test
    void skopeoPushesWithTheCiCredentialAndPullsWithAQaCredentialAfterPromotion() {
        Image image = TestImages.singlePlatform(401, "amd64", 96 * KIB, 32 * KIB);
        String path = "auth-" + RUN + "/skopeo";

        // skopeo pushes with the ci robot; --debug shows it took the token flow (challenge, then GET /token).
        CommandRunner.Result push = CommandRunner.ok(skopeoCopy(true, image.ociReference(),
                TestRegistry.docker("dev/" + path, "1"), "--preserve-digests", "--dest-creds", creds(ci, ciSecret)));
        assertThat(push.stderr()).as("skopeo --debug output of the push:\n%s", push.describe())
                .contains("/token?account=" + ci);

        // The qa robot cannot read dev, nor can the ci robot push to qa.
        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, TestRegistry.docker("dev/" + path, image.digest()),
                "oci:" + tmp.resolve("from-dev") + ":pulled", "--src-creds", creds(qa, qaSecret))));
        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, image.ociReference(),
                TestRegistry.docker("qa/" + path, "1"), "--preserve-digests", "--dest-creds", creds(ci, ciSecret))));
        // Promotion needs promote on the target: the ci robot has none.
        assertThat(promote(ci, ciSecret, path, "dev", "qa", image.digest()).statusCode())
                .as("ci may not promote").isEqualTo(403);

        HttpResponse<byte[]> promotion = promote(operator, operatorSecret, path, "dev", "qa", image.digest());
        assertThat(promotion.statusCode()).as(RegistryHttp.describe(promotion)).isEqualTo(201);
        assertThat(new JsonObject(new String(promotion.body(), StandardCharsets.UTF_8)).getString("actor"))
                .as(RegistryHttp.describe(promotion)).isEqualTo(operator);

        OciLayout pulled = Skopeo.pull("qa/" + path, image.digest(), tmp.resolve("from-qa"),
                "--src-creds", creds(qa, qaSecret));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");

        // Still refused after promotion: qa's credential reaches qa only, ci's still cannot push there.
        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, TestRegistry.docker("dev/" + path, image.digest()),
                "oci:" + tmp.resolve("from-dev-again") + ":pulled", "--src-creds", creds(qa, qaSecret))));
        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, image.ociReference(),
                TestRegistry.docker("qa/" + path, "2"), "--preserve-digests", "--dest-creds", creds(ci, ciSecret))));
        // Nor does anonymous access get anything.
        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, TestRegistry.docker("qa/" + path, image.digest()),
                "oci:" + tmp.resolve("anonymous") + ":pulled", "--src-no-creds")));
    }

    @Test
    void podmanLoginThenPushAndPull() throws IOException {
        Image image = TestImages.singlePlatform(402, "amd64", 80 * KIB, 24 * KIB);
        String reference = TestRegistry.reference("dev/auth-" + RUN + "/podman", "1");
        Path authFile = tmp.resolve("auth.json");
        Path otherAuthFile = tmp.resolve("other-auth.json");

        // A wrong password is refused at login (by the token endpoint) and nothing is written.
        CommandRunner.Result wrong = CommandRunner.fails(podmanLine("--log-level=debug", "login", "--tls-verify=false",
                "--authfile", otherAuthFile.toString(), "-u", ci, "-p", ciSecret + "-wrong", TestRegistry.address()));
        assertAuthRefusal(wrong);
        // podman says only "invalid username/password" unless debugging, which shows the token endpoint's 401 body.
        assertThat(wrong.stderr()).as(wrong.describe())
                .contains("invalid username/password: unauthorized");
        assertThat(storedAuths(otherAuthFile)).as("auth file after a refused login").doesNotContainKey(
                TestRegistry.address());

        CommandRunner.ok(podmanLine("login", "--tls-verify=false", "--authfile", authFile.toString(),
                "-u", ci, "-p", ciSecret, TestRegistry.address()));
        assertThat(storedAuths(authFile)).containsKey(TestRegistry.address());

        // Into podman's storage from the OCI layout (podman pull prints the image id last), then push with the login.
        // podman names an image pulled from a layout after the layout's path, which must then be lowercase: the build
        // directory may not be (a CI clone under mktemp's /tmp/tmp.XyZ), so the layout is copied under podman's dir.
        String layout = podmanStorage.resolve("layout") + ":image";
        Skopeo.copy(image.ociReference(), "oci:" + layout);
        String[] pulledIds = CommandRunner.ok(podmanLine("pull", "oci:" + layout)).stdout().trim().split("\\s+");
        String local = "localhost/gantry-auth-test:" + RUN;
        CommandRunner.ok(podmanLine("tag", pulledIds[pulledIds.length - 1], local));
        Path digestFile = tmp.resolve("digest");
        CommandRunner.ok(podmanLine("push", "--tls-verify=false", "--authfile", authFile.toString(),
                "--digestfile", digestFile.toString(), local, reference));
        String pushed = Files.readString(digestFile).trim();
        assertThat(pushed).startsWith("sha256:");

        CommandRunner.ok(podmanLine("rmi", "-a", "-f"));
        String byDigest = TestRegistry.reference("dev/auth-" + RUN + "/podman", pushed);
        CommandRunner.ok(podmanLine("pull", "--tls-verify=false", "--authfile", authFile.toString(), byDigest));
        assertThat(CommandRunner.ok(podmanLine("image", "inspect", "--format", "{{.Digest}}", byDigest)).stdout()
                .trim()).isEqualTo(pushed);
        CommandRunner.ok(podmanLine("rmi", "-a", "-f"));

        // After logout the same pull is refused.
        CommandRunner.ok(podmanLine("logout", "--authfile", authFile.toString(), TestRegistry.address()));
        assertAuthRefusal(CommandRunner.fails(podmanLine("pull", "--tls-verify=false", "--authfile",
                authFile.toString(), byDigest)));
    }

    @Test
    void containerdPullsWithCredentials() {
        Image image = TestImages.singlePlatform(403, "amd64", 64 * KIB, 16 * KIB);
        String path = "auth-" + RUN + "/ctr";
        Skopeo.copy(image.ociReference(), TestRegistry.docker("dev/" + path, "1"), "--preserve-digests",
                "--dest-creds", creds(ci, ciSecret));
        HttpResponse<byte[]> promotion = promote(operator, operatorSecret, path, "dev", "qa", image.digest());
        assertThat(promotion.statusCode()).as(RegistryHttp.describe(promotion)).isEqualTo(201);
        String reference = TestRegistry.reference("qa/" + path, image.digest());

        try (PrivateContainerd containerd = PrivateContainerd.start()) {
            // Refusals first, each in a namespace of its own, so nothing is already in the namespace's content.
            CommandRunner.Result anonymous = containerd.run("anonymous", "images", "pull", "--plain-http",
                    "--platform", "linux/amd64", reference);
            assertThat(anonymous.succeeded()).as(anonymous.describe()).isFalse();
            assertAuthRefusal(anonymous);
            CommandRunner.Result wrongSecret = containerd.run("wrong-secret", "images", "pull", "--plain-http",
                    "--platform", "linux/amd64", "--user", qa + ":" + qaSecret + "-wrong", reference);
            assertThat(wrongSecret.succeeded()).as(wrongSecret.describe()).isFalse();
            assertAuthRefusal(wrongSecret);
            CommandRunner.Result wrongRegistry = containerd.run("wrong-registry", "images", "pull", "--plain-http",
                    "--platform", "linux/amd64", "--user", qa + ":" + qaSecret,
                    TestRegistry.reference("dev/" + path, image.digest()));
            assertThat(wrongRegistry.succeeded()).as(wrongRegistry.describe()).isFalse();
            assertAuthRefusal(wrongRegistry);

            containerd.ok("qa", "images", "pull", "--plain-http", "--platform", "linux/amd64",
                    "--user", qa + ":" + qaSecret, reference);
            assertThat(containerd.imageDigest("qa", reference)).isEqualTo(image.digest());
            assertThat(containerd.contentDigests("qa")).containsAll(image.blobDigests()).contains(image.digest());
        }
    }

    @Test
    void aRevokedCredentialStopsWorkingForRealClients() {
        Image image = TestImages.singlePlatform(404, "amd64", 48 * KIB);
        String repository = "dev/auth-" + RUN + "/revoked";
        Skopeo.copy(image.ociReference(), TestRegistry.docker(repository, "1"), "--preserve-digests",
                "--dest-creds", creds(ci, ciSecret));
        String name = "temp-" + RUN;
        String secret = mint(name, grant("dev", "pull"));

        OciLayout pulled = Skopeo.pull(repository, image.digest(), tmp.resolve("before"),
                "--src-creds", creds(name, secret));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");

        HttpResponse<byte[]> revoked = RegistryHttp.send(api(ADMIN, ADMIN_PASSWORD, "/api/v1/credentials/" + name)
                .DELETE().build());
        assertThat(revoked.statusCode()).as(RegistryHttp.describe(revoked)).isEqualTo(204);

        assertAuthRefusal(CommandRunner.fails(skopeoCopy(false, TestRegistry.docker(repository, image.digest()),
                "oci:" + tmp.resolve("after") + ":pulled", "--src-creds", creds(name, secret))));
        // The other robots are untouched by the revocation.
        Skopeo.pull(repository, image.digest(), tmp.resolve("ci-still"), "--src-creds", creds(ci, ciSecret));
    }

    // ---- helpers ----

    /**
     * Asserts that a failed client command failed on access control: its output names a 401 or 403, or says
     * unauthorized or denied.
     */
    private static void assertAuthRefusal(CommandRunner.Result result) {
        assertThat(result.succeeded()).as(result.describe()).isFalse();
        String output = (result.stdout() + "\n" + result.stderr()).toLowerCase(Locale.ROOT);
        assertThat(List.of("401", "403", "unauthorized", "denied"))
                .as("the client's output names an auth refusal\n%s", result.describe())
                .anyMatch(output::contains);
    }

    private static String creds(String user, String secret) {
        return user + ":" + secret;
    }

    /** A skopeo copy line (TLS verification off on both sides) for a run whose outcome the caller checks. */
    private static List<String> skopeoCopy(boolean debug, String source, String destination, String... flags) {
        List<String> line = new ArrayList<>(List.of(ClientTool.SKOPEO.require(), "--insecure-policy"));
        if (debug) {
            line.add("--debug");
        }
        line.addAll(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false"));
        line.addAll(List.of(flags));
        line.add(source);
        line.add(destination);
        return line;
    }

    /** A podman command line on a private vfs storage (as PodmanAndBuildahClientTest runs podman). */
    private static List<String> podmanLine(String... args) {
        if (podmanStorage == null) {
            podmanStorage = TestImages.shortTempDir("gantry-pa-");
        }
        List<String> line = new ArrayList<>(List.of(ClientTool.PODMAN.require(),
                "--root", podmanStorage.resolve("root").toString(),
                "--runroot", podmanStorage.resolve("run").toString(),
                "--storage-driver", "vfs", "--events-backend=file", "--cgroup-manager=cgroupfs"));
        line.addAll(List.of(args));
        return line;
    }

    private static Map<String, Object> storedAuths(Path authFile) throws IOException {
        if (!Files.exists(authFile)) {
            return Map.of();
        }
        JsonObject auths = new JsonObject(Files.readString(authFile)).getJsonObject("auths");
        return auths == null ? Map.of() : auths.getMap();
    }

    private static Map<String, Object> grant(String registry, String... actions) {
        return Map.of("registry", registry, "actions", new JsonArray(List.of((Object[]) actions)));
    }

    private static HttpRequest.Builder api(String user, String password, String path) {
        return RegistryHttp.request(path).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpResponse<byte[]> post(String user, String password, String path, JsonObject body) {
        return RegistryHttp.send(api(user, password, path)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build());
    }

    /** Mints a robot as the admin; returns its secret. */
    private static String mint(String name, Map<String, Object> grant) {
        HttpResponse<byte[]> response = post(ADMIN, ADMIN_PASSWORD, "/api/v1/credentials", new JsonObject()
                .put("name", name).put("grants", new JsonArray().add(new JsonObject(grant))));
        assertThat(response.statusCode()).as(RegistryHttp.describe(response)).isEqualTo(201);
        JsonObject minted = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
        assertThat(minted.getString("name")).as(RegistryHttp.describe(response)).isEqualTo(name);
        String secret = minted.getString("secret");
        assertThat(secret).as(RegistryHttp.describe(response)).isNotBlank();
        return secret;
    }

    private static HttpResponse<byte[]> promote(String user, String password, String path, String from, String to,
            String digest) {
        return post(user, password, "/api/v1/promotions", new JsonObject().put("repository", path)
                .put("from", from).put("to", to).put("digest", digest));
    }
}
