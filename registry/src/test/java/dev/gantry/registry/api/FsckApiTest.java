package dev.gantry.registry.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/fsck} over HTTP: who may run it, the report's JSON, and a damaged layer found, quarantined by
 * the repair and healed by pushing it again. The server has a data directory of its own, so the report covers only
 * what this class stored.
 */
@QuarkusTest
@TestProfile(FsckApiTest.OwnStore.class)
class FsckApiTest {
    static final String ADMIN_PASSWORD = "fsck-" + UUID.randomUUID();
    static final Path DATA_DIR = Path.of("target", "test-data-fsck-" + UUID.randomUUID());
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.auth.enabled", "true", "gantry.auth.admin-password", ADMIN_PASSWORD,
                    "gantry.data-dir", DATA_DIR.toString());
        }
    }

    @Test
    void onlyAnAdministratorOfEveryRegistryMayRunIt() {
        given().post("/api/v1/fsck").then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        String devAdmin = robot("devadmin-" + run, "dev", "pull", "push", "delete", "promote", "admin");
        as("devadmin-" + run, devAdmin).post("/api/v1/fsck").then().statusCode(403).body("code", equalTo("DENIED"));
        String operator = robot("operator-" + run, "*", "pull", "promote");
        as("operator-" + run, operator).post("/api/v1/fsck").then().statusCode(403).body("code", equalTo("DENIED"));
        String everywhere = robot("admin-" + run, "*", "admin");
        as("admin-" + run, everywhere).post("/api/v1/fsck").then().statusCode(200).body("repair", equalTo(false));
    }

    @Test
    void aDamagedLayerIsReportedQuarantinedByTheRepairAndHealedByPushingItAgain() throws IOException {
        String repo = "dev/fsck/app";
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = Oci.randomBytes(5000, 9);
        String configDigest = pushBlob(repo, config);
        String layerDigest = pushBlob(repo, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + Oci.descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + Oci.descriptor("application/vnd.oci.image.layer.v1.tar", layerDigest, layer.length)
                + "]}").getBytes(StandardCharsets.UTF_8);
        admin().contentType(OCI_MANIFEST).body(manifest).put("/v2/" + repo + "/manifests/1.0").then().statusCode(201);
        String manifestDigest = Oci.sha256(manifest);

        admin().post("/api/v1/fsck").then().statusCode(200)
                .body("repair", equalTo(false))
                .body("blobsChecked", equalTo(3))
                .body("bytesHashed", equalTo(config.length + layer.length + manifest.length))
                .body("manifestsChecked", equalTo(1))
                .body("tagsChecked", equalTo(1))
                .body("durationMillis", greaterThanOrEqualTo(0))
                .body("problems", empty());

        String hex = layerDigest.substring("sha256:".length());
        Path file = DATA_DIR.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
        byte[] damaged = layer.clone();
        damaged[0] ^= 1;
        Files.write(file, damaged);

        admin().post("/api/v1/fsck").then().statusCode(200)
                .body("problems", hasSize(2))
                .body("problems[0].kind", equalTo("BLOB_CORRUPT"))
                .body("problems[0].subject", equalTo(layerDigest))
                .body("problems[0].detail", containsString("held by dev/fsck/app"))
                .body("problems[0].repaired", equalTo(false))
                .body("problems[0].repair", containsString("quarantine/"))
                .body("problems[1].kind", equalTo("MANIFEST_REFERENCE_MISSING"))
                .body("problems[1].subject", equalTo(manifestDigest));
        assertThat(file).hasBinaryContent(damaged);

        admin().post("/api/v1/fsck?repair=true").then().statusCode(200)
                .body("repair", equalTo(true))
                .body("problems[0].kind", equalTo("BLOB_CORRUPT"))
                .body("problems[0].repaired", equalTo(true));
        assertThat(file).doesNotExist();
        try (Stream<Path> quarantined = Files.walk(DATA_DIR.resolve("quarantine"))) {
            assertThat(quarantined.filter(Files::isRegularFile).toList()).singleElement()
                    .satisfies(q -> assertThat(q).hasBinaryContent(damaged));
        }
        admin().get("/v2/" + repo + "/blobs/" + layerDigest).then().statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));

        pushBlob(repo, layer); // what a client does when the registry no longer has the blob
        admin().post("/api/v1/fsck").then().statusCode(200).body("problems", empty());
        byte[] served = admin().get("/v2/" + repo + "/blobs/" + layerDigest).then().statusCode(200).extract()
                .asByteArray();
        assertThat(served).isEqualTo(layer);
    }

    private static RequestSpecification admin() {
        return as("admin", ADMIN_PASSWORD);
    }

    private static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }

    private static String robot(String name, String registry, String... actions) {
        return admin().contentType("application/json").body(Map.of("name", name, "grants",
                List.of(Map.of("registry", registry, "actions", List.of(actions))))).post("/api/v1/credentials")
                .then().statusCode(201).extract().path("secret");
    }

    private static String pushBlob(String repo, byte[] content) {
        String digest = Oci.sha256(content);
        admin().contentType("application/octet-stream").body(content)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest).then().statusCode(201);
        return digest;
    }
}
