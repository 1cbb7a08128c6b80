package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_INDEX;
import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.descriptor;
import static dev.gantry.registry.api.Oci.imageManifest;
import static dev.gantry.registry.api.Oci.index;
import static dev.gantry.registry.api.Oci.pushImage;
import static dev.gantry.registry.api.Oci.putManifest;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manifest push, pull, negotiation and deletion. */
@QuarkusTest
class ManifestTest {
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    @Test
    void aManifestIsStoredByteExactAndServedByTagAndByDigest() {
        String repo = uniqueRepo("dev");
        byte[] manifest = imageManifest(repo, 10, null, null);
        String digest = sha256(manifest);
        putManifest(repo, "1.0", OCI_MANIFEST, manifest).then().statusCode(201)
                .header("Docker-Content-Digest", digest)
                .header("Location", "/v2/" + repo + "/manifests/" + digest);

        for (String reference : List.of("1.0", digest)) {
            byte[] served = given().accept(OCI_MANIFEST).get("/v2/" + repo + "/manifests/" + reference).then()
                    .statusCode(200).contentType(OCI_MANIFEST).header("Docker-Content-Digest", digest)
                    .header("ETag", "\"" + digest + "\"").extract().asByteArray();
            assertThat(served).isEqualTo(manifest);
        }
        given().head("/v2/" + repo + "/manifests/1.0").then().statusCode(200)
                .header("Content-Length", String.valueOf(manifest.length));
    }

    @Test
    void aDockerSchema2ManifestKeepsItsMediaType() {
        String repo = uniqueRepo("dev");
        String json = new String(imageManifest(repo, 11, null, null), StandardCharsets.UTF_8)
                .replace(OCI_MANIFEST, DOCKER_MANIFEST);
        putManifest(repo, "docker", DOCKER_MANIFEST, json.getBytes(StandardCharsets.UTF_8)).then().statusCode(201);
        given().accept(DOCKER_MANIFEST).get("/v2/" + repo + "/manifests/docker").then().statusCode(200)
                .contentType(DOCKER_MANIFEST);
    }

    @Test
    void aManifestTheClientDoesNotAcceptIsNotServed() {
        String repo = uniqueRepo("dev");
        pushImage(repo, "1", 12);
        given().accept(DOCKER_MANIFEST).get("/v2/" + repo + "/manifests/1").then().statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_UNKNOWN"))
                .body("errors[0].detail", containsString(OCI_MANIFEST));
    }

    @Test
    void aManifestWhoseBlobsTheRepositoryLacksIsRefused() {
        String repo = uniqueRepo("dev");
        byte[] manifest = imageManifest(uniqueRepo("dev"), 13, null, null); // blobs pushed elsewhere
        putManifest(repo, "1", OCI_MANIFEST, manifest).then().statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_BLOB_UNKNOWN"));
        given().get("/v2/" + repo + "/manifests/1").then().statusCode(404);
    }

    @Test
    void anIndexNeedsItsChildManifestsInTheRepository() {
        String repo = uniqueRepo("dev");
        byte[] child = imageManifest(repo, 14, null, null);
        String childDigest = sha256(child);
        byte[] idx = index(List.of(descriptor(OCI_MANIFEST, childDigest, child.length)));

        putManifest(repo, "multi", OCI_INDEX, idx).then().statusCode(404)
                .body("errors[0].code", equalTo("MANIFEST_BLOB_UNKNOWN"))
                .body("errors[0].detail", containsString(childDigest));
        putManifest(repo, childDigest, OCI_MANIFEST, child).then().statusCode(201);
        putManifest(repo, "multi", OCI_INDEX, idx).then().statusCode(201);
        given().accept(OCI_INDEX).get("/v2/" + repo + "/manifests/multi").then().statusCode(200)
                .contentType(OCI_INDEX);
    }

    @Test
    void aSchema1ManifestIsRefusedWithAClearError() {
        String repo = uniqueRepo("dev");
        putManifest(repo, "old", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"old\",\"fsLayers\":[]}".getBytes())
                .then().statusCode(400).body("errors[0].code", equalTo("MANIFEST_INVALID"))
                .body("errors[0].detail", containsString("schema 1"));
    }

    @Test
    void malformedManifestsAreRefusedAsInvalid() {
        String repo = uniqueRepo("dev");
        putManifest(repo, "a", OCI_MANIFEST, "not json".getBytes()).then().statusCode(400)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"));
        putManifest(repo, "b", OCI_MANIFEST, "{\"schemaVersion\":2}".getBytes()).then().statusCode(400)
                .body("errors[0].detail", containsString("config"));
        putManifest(repo, "c", "text/plain", "{\"schemaVersion\":2}".getBytes()).then().statusCode(400)
                .body("errors[0].detail", containsString("unsupported manifest media type"));
        putManifest(repo, "d", OCI_MANIFEST, ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX
                + "\",\"manifests\":[]}").getBytes()).then().statusCode(400)
                .body("errors[0].detail", containsString("does not match"));
        putManifest(repo, "e", OCI_MANIFEST, ("{\"a\":".repeat(200) + "1" + "}".repeat(200)).getBytes())
                .then().statusCode(400).body("errors[0].code", equalTo("MANIFEST_INVALID"));
    }

    @Test
    void aManifestOverFourMebibytesIsRefused() {
        String repo = uniqueRepo("dev");
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        putManifest(repo, "huge", OCI_MANIFEST, huge).then().statusCode(413)
                .body("errors[0].code", equalTo("MANIFEST_INVALID"));
    }

    @Test
    void pushingByDigestChecksTheDigest() {
        String repo = uniqueRepo("dev");
        byte[] manifest = imageManifest(repo, 15, null, null);
        putManifest(repo, sha256("other".getBytes()), OCI_MANIFEST, manifest).then().statusCode(400)
                .body("errors[0].code", equalTo("DIGEST_INVALID"));
        putManifest(repo, sha256(manifest), OCI_MANIFEST, manifest).then().statusCode(201);
    }

    @Test
    void deletingAManifestByDigestRemovesItAndItsTags() {
        String repo = uniqueRepo("dev");
        String digest = pushImage(repo, "1", 16);
        given().delete("/v2/" + repo + "/manifests/" + digest).then().statusCode(202);
        given().get("/v2/" + repo + "/manifests/" + digest).then().statusCode(404);
        given().get("/v2/" + repo + "/manifests/1").then().statusCode(404);
    }

    @Test
    void deletingATagLeavesTheManifest() {
        String repo = uniqueRepo("dev");
        String digest = pushImage(repo, "1", 17);
        given().delete("/v2/" + repo + "/manifests/1").then().statusCode(202);
        given().get("/v2/" + repo + "/manifests/1").then().statusCode(404);
        given().get("/v2/" + repo + "/manifests/" + digest).then().statusCode(200);
    }

    @Test
    void movingATagPointsItAtTheNewManifest() {
        String repo = uniqueRepo("dev");
        pushImage(repo, "latest", 18);
        String second = pushImage(repo, "latest", 19);
        given().get("/v2/" + repo + "/manifests/latest").then().header("Docker-Content-Digest", second);
    }
}
