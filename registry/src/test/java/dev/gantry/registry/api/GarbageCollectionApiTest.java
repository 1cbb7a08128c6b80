package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.descriptor;
import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.putManifest;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/gc} and {@code untaggedRetention} through HTTP, with no grace period to wait for. */
@QuarkusTest
@TestProfile(GarbageCollectionApiTest.NoGrace.class)
class GarbageCollectionApiTest {
    public static class NoGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.gc.grace-period", "0s", "gantry.data-dir", "target/test-data-gc-api");
        }
    }

    @Test
    void aDryRunReportsWhatALayerNoManifestUsesWouldFreeAndKeepsItUntilTheRealRun() {
        String repo = uniqueRepo("dev");
        byte[] layer = randomBytes(50_000, 1);
        String digest = pushBlob(repo, layer);

        JsonPath dry = given().post("/api/v1/gc?dryRun=true").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(dry.getLong("blobsRemoved")).isGreaterThanOrEqualTo(1);
        assertThat(dry.getLong("bytesFreed")).isGreaterThanOrEqualTo(layer.length);
        given().get("/v2/" + repo + "/blobs/" + digest).then().statusCode(200);

        given().post("/api/v1/gc").then().statusCode(200).body("dryRun", equalTo(false))
                .body("bytesFreed", greaterThanOrEqualTo(layer.length));
        given().get("/v2/" + repo + "/blobs/" + digest).then().statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
        given().get("/api/v1/gc").then().statusCode(200).body("running", equalTo(false))
                .body("lastRun.dryRun", equalTo(false));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("gantry_gc_runs_total{kind=\"collect\"}")
                .contains("gantry_gc_runs_total{kind=\"dry-run\"}").contains("gantry_gc_freed_bytes_total");
    }

    @Test
    void deletingAnImageFreesTheLayersOnlyItUsedAndKeepsTheSharedOnes() {
        String repo = uniqueRepo("dev");
        byte[] shared = randomBytes(10_000, 2);
        byte[] own = randomBytes(20_000, 3);
        byte[] other = randomBytes(30_000, 4);
        String old = push(repo, "old", List.of(shared, own));
        String current = push(repo, "current", List.of(shared, other));
        given().delete("/v2/" + repo + "/manifests/" + old).then().statusCode(202);

        given().post("/api/v1/gc").then().statusCode(200);

        given().get("/v2/" + repo + "/blobs/" + sha256(own)).then().statusCode(404);
        given().get("/v2/" + repo + "/manifests/" + old).then().statusCode(404);
        given().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/current").then().statusCode(200)
                .header("Docker-Content-Digest", current);
        for (byte[] layer : List.of(shared, other)) {
            byte[] served = given().get("/v2/" + repo + "/blobs/" + sha256(layer)).then().statusCode(200).extract()
                    .asByteArray();
            assertThat(sha256(served)).isEqualTo(sha256(layer));
        }
    }

    @Test
    void untaggedRetentionIsValidatedAsPartOfTheRegistrySpec() {
        given().contentType("application/json").body(Map.of("type", "Local", "untaggedRetention", "7 days"))
                .put("/api/v1/registries/retained").then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        given().contentType("application/json").body(Map.of("type", "Virtual", "members", List.of("dev"),
                "untaggedRetention", "24h")).put("/api/v1/registries/retained").then().statusCode(400);
        given().contentType("application/json").body(Map.of("type", "Local", "untaggedRetention", "168h"))
                .put("/api/v1/registries/retained").then().statusCode(201)
                .body("spec.untaggedRetention", equalTo("168h"));
        given().delete("/api/v1/registries/retained").then().statusCode(204);
    }

    /** Pushes config and layers and a manifest over them under the tag; answers the manifest digest. */
    private static String push(String repo, String tag, List<byte[]> layers) {
        byte[] config = ("{\"tag\":\"" + tag + "\",\"repo\":\"" + repo + "\"}").getBytes(StandardCharsets.UTF_8);
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST
                + "\",\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", pushBlob(repo, config),
                        config.length) + ",\"layers\":[");
        for (byte[] layer : layers) {
            json.append(json.charAt(json.length() - 1) == '[' ? "" : ",")
                    .append(descriptor("application/vnd.oci.image.layer.v1.tar", pushBlob(repo, layer),
                            layer.length));
        }
        byte[] manifest = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        putManifest(repo, tag, OCI_MANIFEST, manifest).then().statusCode(201);
        return sha256(manifest);
    }
}
