package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Blob uploads, downloads and mounts, per the OCI distribution spec's push and pull sections. */
@QuarkusTest
class BlobUploadTest {

    @Test
    void aMonolithicUploadIsStoredAndServedByteForByte() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(100_000, 1);
        String digest = pushBlob(repo, content);

        Response get = given().get("/v2/" + repo + "/blobs/" + digest);
        get.then().statusCode(200).header("Docker-Content-Digest", digest)
                .header("Content-Length", String.valueOf(content.length));
        assertThat(get.asByteArray()).isEqualTo(content);
        given().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(200)
                .header("Content-Length", String.valueOf(content.length));
    }

    @Test
    void aChunkedUploadAssemblesItsChunksInOrder() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(300_000, 2);
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .header("Range", "0-0").header("Docker-Upload-UUID", org.hamcrest.Matchers.notNullValue())
                .extract().header("Location");

        location = patch(location, content, 0, 100_000).then().statusCode(202).header("Range", "0-99999")
                .extract().header("Location");
        location = patch(location, content, 100_000, 250_000).then().statusCode(202).header("Range", "0-249999")
                .extract().header("Location");
        given().get(location).then().statusCode(204).header("Range", "0-249999");

        String digest = sha256(content);
        given().contentType("application/octet-stream")
                .header("Content-Range", "250000-299999")
                .body(Arrays.copyOfRange(content, 250_000, 300_000))
                .put(location + "?digest=" + digest)
                .then().statusCode(201).header("Docker-Content-Digest", digest)
                .header("Location", "/v2/" + repo + "/blobs/" + digest);
        assertThat(given().get("/v2/" + repo + "/blobs/" + digest).asByteArray()).isEqualTo(content);
    }

    @Test
    void aLayerLargerThanTheFrameworksDefaultBodyLimitStreamsInOnePatch() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(24 * 1024 * 1024, System.nanoTime());
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");
        location = given().contentType("application/octet-stream").body(content).patch(location).then()
                .statusCode(202).header("Range", "0-" + (content.length - 1)).extract().header("Location");
        given().put(location + "?digest=" + sha256(content)).then().statusCode(201);
        given().head("/v2/" + repo + "/blobs/" + sha256(content)).then().statusCode(200)
                .header("Content-Length", String.valueOf(content.length));
    }

    @Test
    void aChunkThatDoesNotContinueTheUploadIsRefusedWith416() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(2_000, 3);
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");
        location = patch(location, content, 0, 1_000).then().statusCode(202).extract().header("Location");

        patch(location, content, 1_500, 2_000).then().statusCode(416)
                .header("Range", "0-999")
                .body("errors[0].code", equalTo("BLOB_UPLOAD_INVALID"));
        // the refused chunk left the upload as it was
        given().get(location).then().statusCode(204).header("Range", "0-999");
    }

    @Test
    void aDigestMismatchStoresNothingAndEndsTheUpload() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(5_000, 4);
        String wrong = sha256("something else".getBytes());
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");

        given().contentType("application/octet-stream").body(content).put(location + "?digest=" + wrong)
                .then().statusCode(400).body("errors[0].code", equalTo("DIGEST_INVALID"));
        given().head("/v2/" + repo + "/blobs/" + wrong).then().statusCode(404);
        given().head("/v2/" + repo + "/blobs/" + sha256(content)).then().statusCode(404);
        given().get(location).then().statusCode(404).body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN"));
    }

    @Test
    void aCancelledUploadIsGone() {
        String repo = uniqueRepo("dev");
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");
        given().delete(location).then().statusCode(204);
        given().get(location).then().statusCode(404).body("errors[0].code", equalTo("BLOB_UPLOAD_UNKNOWN"));
    }

    @Test
    void aPostThenOnePutWithTheWholeBodyWorksAsContainerdUploads() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(70_000, 5);
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");
        given().contentType("application/octet-stream").body(content).put(location + "?digest=" + sha256(content))
                .then().statusCode(201);
        assertThat(given().get("/v2/" + repo + "/blobs/" + sha256(content)).asByteArray()).isEqualTo(content);
    }

    @Test
    void aRangeRequestAnswersPartialContent() {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(10_000, 6);
        String digest = pushBlob(repo, content);

        Response partial = given().header("Range", "bytes=100-199").get("/v2/" + repo + "/blobs/" + digest);
        partial.then().statusCode(206).header("Content-Range", "bytes 100-199/10000");
        assertThat(partial.asByteArray()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
        given().header("Range", "bytes=20000-").get("/v2/" + repo + "/blobs/" + digest).then().statusCode(416)
                .header("Content-Range", "bytes */10000");
    }

    @Test
    void aBlobIsMountedFromAnotherRepositoryWithoutAnUpload() {
        String source = uniqueRepo("dev");
        String target = uniqueRepo("dev");
        byte[] content = randomBytes(4_000, 7);
        String digest = pushBlob(source, content);

        given().post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source)
                .then().statusCode(201).header("Location", "/v2/" + target + "/blobs/" + digest)
                .header("Docker-Content-Digest", digest);
        assertThat(given().get("/v2/" + target + "/blobs/" + digest).asByteArray()).isEqualTo(content);
    }

    @Test
    void aMountFromARepositoryWithoutTheBlobFallsBackToAnUpload() {
        String target = uniqueRepo("dev");
        String digest = sha256("never pushed".getBytes());
        given().post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + uniqueRepo("dev"))
                .then().statusCode(202).header("Location", startsWith("/v2/" + target + "/blobs/uploads/"));
    }

    @Test
    void aMountWithArgumentsThatNameNothingFallsBackToAnUpload() {
        String target = uniqueRepo("dev");
        String source = uniqueRepo("dev");
        String digest = pushBlob(source, randomBytes(2_000, 9));
        for (String query : List.of("mount=sha256:abc&from=" + source,
                "mount=md5:" + "0".repeat(32) + "&from=" + source, "mount=" + digest + "&from=dev/../prod/x",
                "mount=" + digest + "&from=nosuchregistry/app",
                "mount=" + digest + "&from=dev", "mount=" + digest + "&from=Dev/UPPER")) {
            Response started = given().post("/v2/" + target + "/blobs/uploads/?" + query);
            assertThat(started.statusCode()).as("%s: %s", query, started.asString()).isEqualTo(202);
            String location = started.header("Location");
            assertThat(location).as(query).startsWith("/v2/" + target + "/blobs/uploads/");
            Response finished = given().contentType("application/octet-stream").body(new byte[] {1, 2, 3})
                    .put(location + "?digest=" + sha256(new byte[] {1, 2, 3}));
            assertThat(finished.statusCode()).as("%s: %s", query, finished.asString()).isEqualTo(201);
        }
    }

    @Test
    void knowingADigestDoesNotLetAnotherRepositoryReadTheBlob() {
        String owner = uniqueRepo("dev");
        String stranger = uniqueRepo("dev");
        String digest = pushBlob(owner, randomBytes(1_000, 8));
        given().get("/v2/" + stranger + "/blobs/" + digest).then().statusCode(404)
                .body("errors[0].code", equalTo("BLOB_UNKNOWN"));
        given().get("/v2/prod/" + owner.substring(4) + "/blobs/" + digest).then().statusCode(404);
    }

    @Test
    void deletingABlobRemovesItFromThatRepositoryOnly() {
        String a = uniqueRepo("dev");
        String b = uniqueRepo("dev");
        byte[] content = randomBytes(1_000, 9);
        String digest = pushBlob(a, content);
        pushBlob(b, content);
        given().delete("/v2/" + a + "/blobs/" + digest).then().statusCode(202);
        given().head("/v2/" + a + "/blobs/" + digest).then().statusCode(404);
        given().head("/v2/" + b + "/blobs/" + digest).then().statusCode(200);
    }

    @Test
    void aLayerAManifestOfTheRepositoryUsesCannotBeDeletedFromIt() {
        String repo = uniqueRepo("dev");
        String manifest = Oci.pushImage(repo, "1", 10);
        byte[] served = given().accept(Oci.OCI_MANIFEST).get("/v2/" + repo + "/manifests/1").asByteArray();
        String layer = io.restassured.path.json.JsonPath.from(new String(served,
                java.nio.charset.StandardCharsets.UTF_8)).getString("layers[0].digest");
        given().delete("/v2/" + repo + "/blobs/" + layer).then().statusCode(403)
                .body("errors[0].code", equalTo("DENIED"))
                .body("errors[0].detail", org.hamcrest.Matchers.containsString(manifest));
        given().delete("/v2/" + repo + "/blobs/" + manifest).then().statusCode(403);
        given().head("/v2/" + repo + "/blobs/" + layer).then().statusCode(200);

        given().delete("/v2/" + repo + "/manifests/" + manifest).then().statusCode(202);
        given().delete("/v2/" + repo + "/blobs/" + layer).then().statusCode(202);
        given().head("/v2/" + repo + "/blobs/" + layer).then().statusCode(404);
    }

    private static Response patch(String location, byte[] content, int from, int to) {
        return given().contentType("application/octet-stream")
                .header("Content-Range", from + "-" + (to - 1))
                .body(Arrays.copyOfRange(content, from, to))
                .patch(location);
    }
}
