package dev.gantry.registry.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Access control on the registry and management APIs: per-registry robots, the token flow, Basic, and what a
 * credential for one environment can and cannot reach.
 */
@QuarkusTest
@TestProfile(AccessControlTest.AuthOn.class)
class AccessControlTest {
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "bootstrap-" + UUID.randomUUID();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    static String ci;
    static String ciSecret;
    static String qaPuller;
    static String qaSecret;
    static String operator;
    static String operatorSecret;
    static String repo;
    static String digest;
    static String layer;

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.auth.enabled", "true", "gantry.auth.admin-password", ADMIN_PASSWORD,
                    "gantry.auth.rotation-overlap", "2s", "gantry.data-dir", "target/test-data-auth");
        }
    }

    /** Once per class, but in a @BeforeEach: Quarkus points REST Assured at the test server only per test. */
    @BeforeEach
    void credentialsAndAnImageInProd() {
        if (repo != null) {
            return;
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        ci = "ci-" + run;
        ciSecret = mint(ci, List.of(Map.of("registry", "dev", "actions", List.of("pull", "push"))));
        qaPuller = "qa-" + run;
        qaSecret = mint(qaPuller, List.of(Map.of("registry", "qa", "actions", List.of("pull"))));
        operator = "op-" + run;
        operatorSecret = mint(operator, List.of(Map.of("registry", "*", "actions", List.of("pull", "promote"))));

        repo = "team-" + run + "/app";
        byte[] config = ("{\"run\":\"" + run + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layerBytes = new byte[4096];
        new Random(run.hashCode()).nextBytes(layerBytes);
        String configDigest = pushBlob(ci, ciSecret, "dev/" + repo, config);
        layer = pushBlob(ci, ciSecret, "dev/" + repo, layerBytes);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layer + "\",\"size\":4096}]}").getBytes(StandardCharsets.UTF_8);
        as(ci, ciSecret).contentType(OCI_MANIFEST).body(manifest).put("/v2/dev/" + repo + "/manifests/1").then()
                .statusCode(201);
        digest = sha256(manifest);
        for (String[] hop : new String[][] {{"dev", "qa"}, {"qa", "staging"}, {"staging", "prod"}}) {
            as(operator, operatorSecret).contentType("application/json").body(Map.of("repository", repo, "from",
                    hop[0], "to", hop[1], "digest", digest)).post("/api/v1/promotions").then().statusCode(201)
                    .body("actor", equalTo(operator));
        }
    }

    @Test
    void anAnonymousRequestIsChallengedToGetAToken() {
        given().get("/v2/").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer realm=\"http://"))
                .header("WWW-Authenticate", containsString("/token\",service=\"gantry\""))
                .body("errors[0].code", equalTo("UNAUTHORIZED"));
        given().get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(401)
                .header("WWW-Authenticate", containsString("scope=\"repository:qa/" + repo + ":pull\""));
    }

    @Test
    void aTokenGrantsTheIntersectionOfWhatWasAskedAndWhatIsHeld() throws Exception {
        String token = as(qaPuller, qaSecret).get("/token?service=gantry&scope=repository:qa/" + repo + ":pull,push")
                .then().statusCode(200).extract().path("token");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8);
        assertThat(payload).contains("\"actions\":[\"pull\"]").doesNotContain("push");
        given().header("Authorization", "Bearer " + token).accept(OCI_MANIFEST)
                .get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
        given().header("Authorization", "Bearer " + token).post("/v2/qa/" + repo + "/blobs/uploads/").then()
                .statusCode(403).body("errors[0].code", equalTo("DENIED"));
    }

    @Test
    void aTokenMissingAScopeItsHolderHasAsksForANewTokenInsteadOfDenying() {
        String pullOnly = as(ci, ciSecret).get("/token?service=gantry&scope=repository:dev/" + repo + ":pull")
                .then().statusCode(200).extract().path("token");
        given().header("Authorization", "Bearer " + pullOnly).post("/v2/dev/" + repo + "/blobs/uploads/").then()
                .statusCode(401).header("WWW-Authenticate", containsString("scope=\"repository:dev/" + repo
                        + ":push\""));
    }

    @Test
    void basicCredentialsWorkOnTheRegistryApiAsContainerdSendsThem() {
        as(qaPuller, qaSecret).accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then()
                .statusCode(200);
        as(qaPuller, "wrong").get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(401);
    }

    @Test
    void aQaCredentialCannotReadProdEvenKnowingTheDigests() {
        as(qaPuller, qaSecret).get("/v2/prod/" + repo + "/manifests/" + digest).then().statusCode(403);
        as(qaPuller, qaSecret).get("/v2/prod/" + repo + "/blobs/" + layer).then().statusCode(403);
        as(qaPuller, qaSecret).get("/v2/all/" + repo + "/blobs/" + layer).then().statusCode(403);
        String token = as(qaPuller, qaSecret).get("/token?service=gantry&scope=repository:prod/" + repo + ":pull")
                .then().statusCode(200).extract().path("token");
        given().header("Authorization", "Bearer " + token).get("/v2/prod/" + repo + "/blobs/" + layer).then()
                .statusCode(403);
    }

    @Test
    void anEncodedRegistryNameIsCheckedAsTheRegistryItServes() throws Exception {
        // %70rod is "prod" once decoded, which is what the routes serve: the check must see "prod" too
        String prodPuller = "prod-" + UUID.randomUUID().toString().substring(0, 8);
        String prodSecret = mint(prodPuller, List.of(Map.of("registry", "prod", "actions", List.of("pull"))));
        assertThat(encodedGet(prodPuller, prodSecret)).isEqualTo(200);
        assertThat(encodedGet(qaPuller, qaSecret)).isEqualTo(403);
    }

    private static int encodedGet(String user, String secret) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/v2/%70rod/"
                                + repo + "/manifests/" + digest))
                .header("Accept", OCI_MANIFEST)
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (user + ":" + secret).getBytes(StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theCiPusherMayPushToDevOnlyAndCannotMountFromProd() {
        as(ci, ciSecret).post("/v2/qa/" + repo + "/blobs/uploads/").then().statusCode(403);
        as(ci, ciSecret).post("/v2/dev/other-" + repo + "/blobs/uploads/?mount=" + layer + "&from=prod/" + repo)
                .then().statusCode(202); // a plain upload session: the mount was not allowed
        as(ci, ciSecret).post("/v2/dev/other-" + repo + "/blobs/uploads/?mount=" + layer + "&from=dev/" + repo)
                .then().statusCode(201);
    }

    @Test
    void theCatalogShowsOnlyWhatTheCallerMayRead() {
        as(qaPuller, qaSecret).get("/v2/_catalog").then().statusCode(200)
                .body("repositories", everyItem(startsWith("qa/")));
        List<String> all = as(ADMIN, ADMIN_PASSWORD).get("/v2/_catalog").then().statusCode(200).extract()
                .path("repositories");
        assertThat(all).contains("dev/" + repo, "qa/" + repo, "prod/" + repo);
    }

    @Test
    void onlyAHolderOfPromoteOnTheTargetMayPromote() {
        as(ci, ciSecret).contentType("application/json").body(Map.of("repository", repo, "from", "dev", "to", "qa",
                "digest", digest)).post("/api/v1/promotions").then().statusCode(403)
                .body("code", equalTo("DENIED"));
        given().contentType("application/json").body(Map.of("repository", repo, "from", "dev", "to", "qa",
                "digest", digest)).post("/api/v1/promotions").then().statusCode(401);
    }

    @Test
    void onlyAnAdministratorOfEveryRegistryMayCollectGarbage() {
        String devAdmin = "devadmin-" + UUID.randomUUID().toString().substring(0, 8);
        String devAdminSecret = mint(devAdmin, List.of(Map.of("registry", "dev", "actions", List.of("admin"))));
        given().post("/api/v1/gc?dryRun=true").then().statusCode(401);
        as(operator, operatorSecret).post("/api/v1/gc?dryRun=true").then().statusCode(403)
                .body("code", equalTo("DENIED"));
        as(devAdmin, devAdminSecret).post("/api/v1/gc?dryRun=true").then().statusCode(403);
        as(devAdmin, devAdminSecret).get("/api/v1/gc").then().statusCode(403);
        as(ADMIN, ADMIN_PASSWORD).post("/api/v1/gc?dryRun=true").then().statusCode(200)
                .body("dryRun", equalTo(true));
    }

    @Test
    void mintingNeedsAdminAndARevokedRobotIsRefusedAtOnce() {
        as(operator, operatorSecret).contentType("application/json").body(Map.of("grants",
                List.of(Map.of("registry", "qa", "actions", List.of("pull"))))).post("/api/v1/credentials").then()
                .statusCode(403);
        String name = "temp-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = mint(name, List.of(Map.of("registry", "qa", "actions", List.of("pull"))));
        as(name, secret).accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
        as(ADMIN, ADMIN_PASSWORD).delete("/api/v1/credentials/" + name).then().statusCode(204);
        as(name, secret).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(401);
    }

    @Test
    void anExpiredRobotIsRefused() throws Exception {
        String name = "short-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = as(ADMIN, ADMIN_PASSWORD).contentType("application/json").body(Map.of("name", name,
                "grants", List.of(Map.of("registry", "qa", "actions", List.of("pull"))), "expiresInSeconds", 1))
                .post("/api/v1/credentials").then().statusCode(201).extract().path("secret");
        Thread.sleep(1_500);
        as(name, secret).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(401);
    }

    @Test
    void aTokenForgedOrForAnotherServiceIsRefused() {
        String token = as(qaPuller, qaSecret).get("/token?service=gantry&scope=repository:qa/" + repo + ":pull")
                .then().statusCode(200).extract().path("token");
        String[] parts = token.split("\\.");
        String widened = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"qa/" + repo + "\"", "\"prod/" + repo + "\"");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(widened.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        given().header("Authorization", "Bearer " + forged).get("/v2/prod/" + repo + "/manifests/" + digest).then()
                .statusCode(401);
        as(qaPuller, qaSecret).get("/token?service=elsewhere&scope=repository:qa/" + repo + ":pull").then()
                .statusCode(400);
    }

    @Test
    void anAnonymousPullRegistryServesReadsToAnyoneButNothingElse() {
        String pub = "pub-" + UUID.randomUUID().toString().substring(0, 8);
        as(ADMIN, ADMIN_PASSWORD).contentType("application/json").body(Map.of("type", "Local", "anonymousPull", true))
                .put("/api/v1/registries/" + pub).then().statusCode(201);
        byte[] blob = ("public " + pub).getBytes(StandardCharsets.UTF_8);
        String d = pushBlob(ADMIN, ADMIN_PASSWORD, pub + "/base", blob);
        given().get("/v2/" + pub + "/base/blobs/" + d).then().statusCode(200);
        given().post("/v2/" + pub + "/base/blobs/uploads/").then().statusCode(401);
        String token = given().get("/token?service=gantry&scope=repository:" + pub + "/base:pull,push").then()
                .statusCode(200).extract().path("token");
        given().header("Authorization", "Bearer " + token).get("/v2/" + pub + "/base/blobs/" + d).then()
                .statusCode(200);
    }

    @Test
    void aRotatedSecretReplacesTheOldOneAfterTheOverlap() throws Exception {
        String name = "rot-" + UUID.randomUUID().toString().substring(0, 8);
        String old = mint(name, List.of(Map.of("registry", "qa", "actions", List.of("pull"))));
        String fresh = as(ADMIN, ADMIN_PASSWORD).post("/api/v1/credentials/" + name + "/rotate").then()
                .statusCode(200).extract().path("secret");
        assertThat(fresh).isNotEqualTo(old);
        as(name, old).accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
        as(name, fresh).accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
        Thread.sleep(2_500); // the overlap is 2 s in this profile
        as(name, old).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(401);
        as(name, fresh).accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
    }

    static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }

    static String mint(String name, List<Map<String, Object>> grants) {
        return as(ADMIN, ADMIN_PASSWORD).contentType("application/json").body(Map.of("name", name, "grants", grants))
                .post("/api/v1/credentials").then().statusCode(201).extract().path("secret");
    }

    static String pushBlob(String user, String password, String repository, byte[] content) {
        String d = sha256(content);
        as(user, password).contentType("application/octet-stream").body(content)
                .post("/v2/" + repository + "/blobs/uploads/?digest=" + d).then().statusCode(201);
        return d;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
