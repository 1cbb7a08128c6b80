package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_INDEX;
import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.descriptor;
import static dev.gantry.registry.api.Oci.imageManifest;
import static dev.gantry.registry.api.Oci.index;
import static dev.gantry.registry.api.Oci.pushImage;
import static dev.gantry.registry.api.Oci.putManifest;
import static dev.gantry.registry.api.Oci.sha256;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Promotion through the management API: metadata only, along declared paths, recorded, idempotent. */
@QuarkusTest
class PromotionApiTest {

    static String repoName() {
        return "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "/app";
    }

    static ValidatableResponse promote(Map<String, Object> body) {
        return given().contentType("application/json").body(body).post("/api/v1/promotions").then();
    }

    static Map<String, Object> request(String repo, String from, String to, String key, String value) {
        return new java.util.HashMap<>(Map.of("repository", repo, "from", from, "to", to, key, value));
    }

    @Test
    void aPromotedDigestIsServedByTheTargetWithoutCopyingABlob() throws IOException {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1.0", 100);
        long filesBefore = storedFiles();

        promote(request(repo, "dev", "qa", "digest", digest)).statusCode(201)
                .body("digest", equalTo(digest)).body("from", equalTo("dev")).body("to", equalTo("qa"))
                .body("actor", equalTo("anonymous")).body("tags", hasSize(0));

        byte[] served = given().accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/" + digest).then()
                .statusCode(200).extract().asByteArray();
        assertThat(sha256(served)).isEqualTo(digest);
        String layer = given().get("/v2/dev/" + repo + "/manifests/" + digest).then().extract()
                .path("layers[0].digest");
        given().get("/v2/qa/" + repo + "/blobs/" + layer).then().statusCode(200);
        assertThat(storedFiles()).isEqualTo(filesBefore);
    }

    @Test
    void promotingATagCarriesTheTagUnlessTargetTagsSayOtherwise() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1.0", 101);
        promote(request(repo, "dev", "qa", "tag", "1.0")).statusCode(201).body("tags", contains("1.0"));
        given().get("/v2/qa/" + repo + "/manifests/1.0").then().statusCode(200)
                .header("Docker-Content-Digest", digest);

        Map<String, Object> retagged = request(repo, "qa", "staging", "tag", "1.0");
        retagged.put("targetTags", List.of("1.0.0", "stable"));
        promote(retagged).statusCode(201);
        given().get("/v2/staging/" + repo + "/manifests/stable").then().statusCode(200);
        given().get("/v2/staging/" + repo + "/manifests/1.0").then().statusCode(404);
    }

    @Test
    void promotingFromAnUnlistedSourceIsRefused() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1", 102);
        promote(request(repo, "dev", "staging", "digest", digest)).statusCode(403)
                .body("code", equalTo("PROMOTION_NOT_ALLOWED"))
                .body("message", containsString("receives promotions from qa only, not from dev"));
        given().get("/v2/staging/" + repo + "/manifests/" + digest).then().statusCode(404);
    }

    @Test
    void promotingWhatTheSourceDoesNotHoldIsRefused() {
        String repo = repoName();
        promote(request(repo, "dev", "qa", "digest", sha256("nothing".getBytes()))).statusCode(404)
                .body("code", equalTo("SOURCE_UNKNOWN"));
        promote(request(repo, "dev", "qa", "tag", "nope")).statusCode(404).body("code", equalTo("SOURCE_UNKNOWN"));
    }

    @Test
    void aTagThatMovedSinceItWasCheckedIsRefused() {
        String repo = repoName();
        String first = pushImage("dev/" + repo, "rc", 103);
        pushImage("dev/" + repo, "rc", 104);
        Map<String, Object> body = request(repo, "dev", "qa", "tag", "rc");
        body.put("expectedDigest", first);
        promote(body).statusCode(409).body("code", equalTo("DIGEST_MISMATCH"));
        given().get("/v2/qa/" + repo + "/manifests/rc").then().statusCode(404);
    }

    @Test
    void anImmutableTagInTheTargetDoesNotMove() {
        String repo = repoName();
        String first = pushImage("dev/" + repo, "1.0", 105);
        walk(repo, first, "1.0");
        String second = pushImage("dev/" + repo, "1.0", 106);
        promote(request(repo, "dev", "qa", "tag", "1.0")).statusCode(201);
        promote(request(repo, "qa", "staging", "tag", "1.0")).statusCode(201);
        promote(request(repo, "staging", "prod", "tag", "1.0")).statusCode(409)
                .body("code", equalTo("TAG_IMMUTABLE")).body("message", containsString(first));
        given().get("/v2/prod/" + repo + "/manifests/1.0").then().header("Docker-Content-Digest", first);
        given().get("/v2/prod/" + repo + "/manifests/" + second).then().statusCode(404);
    }

    @Test
    void theSameIdAgainReturnsTheFirstResult() {
        String repo = repoName();
        String first = pushImage("dev/" + repo, "1", 107);
        Map<String, Object> body = request(repo, "dev", "qa", "tag", "1");
        body.put("id", "uid-" + repo.replace('/', '-'));
        String at = promote(body).statusCode(201).extract().path("promotedAt");
        pushImage("dev/" + repo, "1", 108); // the tag moves; a retry must not promote the new digest
        promote(body).statusCode(200).body("digest", equalTo(first)).body("promotedAt", equalTo(at));
        given().get("/api/v1/promotions/" + body.get("id")).then().statusCode(200).body("digest", equalTo(first));
    }

    @Test
    void anUnknownPromotionIdIsNotFound() {
        given().get("/api/v1/promotions/never-made-" + repoName().replace('/', '-')).then().statusCode(404)
                .body("code", equalTo("PROMOTION_UNKNOWN"));
    }

    @Test
    void promotingTheSameDigestAgainSucceedsAndChangesNothing() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1", 109);
        promote(request(repo, "dev", "qa", "digest", digest)).statusCode(201);
        promote(request(repo, "dev", "qa", "digest", digest)).statusCode(201).body("digest", equalTo(digest));
        given().get("/v2/qa/" + repo + "/manifests/" + digest).then().statusCode(200);
    }

    @Test
    void anIndexTravelsWithItsChildrenAndReferrersUnlessExcluded() {
        String repo = repoName();
        String dev = "dev/" + repo;
        byte[] child = imageManifest(dev, 110, null, null);
        putManifest(dev, sha256(child), OCI_MANIFEST, child).then().statusCode(201);
        byte[] idx = index(List.of(descriptor(OCI_MANIFEST, sha256(child), child.length)));
        putManifest(dev, "multi", OCI_INDEX, idx).then().statusCode(201);
        byte[] signature = imageManifest(dev, 111, descriptor(OCI_INDEX, sha256(idx), idx.length),
                "application/vnd.dev.sigstore.bundle+json");
        putManifest(dev, sha256(signature), OCI_MANIFEST, signature).then().statusCode(201);

        Map<String, Object> without = request(repo, "dev", "qa", "tag", "multi");
        without.put("withReferrers", false);
        promote(without).statusCode(201);
        given().get("/v2/qa/" + repo + "/manifests/" + sha256(child)).then().statusCode(200);
        given().get("/v2/qa/" + repo + "/referrers/" + sha256(idx)).then().body("manifests", hasSize(0));

        promote(request(repo, "qa", "staging", "tag", "multi")).statusCode(201);
        promote(request(repo, "dev", "qa", "digest", sha256(idx))).statusCode(201);
        given().get("/v2/qa/" + repo + "/referrers/" + sha256(idx)).then().body("manifests", hasSize(1))
                .body("manifests[0].digest", equalTo(sha256(signature)));
    }

    @Test
    void theHistoryShowsEachPromotionPerRepositoryAndTheDigestsPathThroughTheStages() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1.0", System.nanoTime()); // a digest no earlier run promoted
        walk(repo, digest, "1.0");
        given().get("/api/v1/promotions?digest=" + digest).then().statusCode(200)
                .body("to", contains("qa", "staging", "prod"))
                .body("from", contains("dev", "qa", "staging"));
        given().get("/api/v1/registries/prod/repositories/" + repo + "/promotions").then().statusCode(200)
                .body("", hasSize(1)).body("[0].digest", equalTo(digest)).body("[0].tags", contains("1.0"));
    }

    @Test
    void aTagAnswersItsDigestAndEveryOtherTagOnIt() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "26", 113);
        byte[] manifest = given().get("/v2/dev/" + repo + "/manifests/26").asByteArray();
        putManifest("dev/" + repo, "latest", OCI_MANIFEST, manifest).then().statusCode(201);
        given().get("/api/v1/registries/dev/repositories/" + repo + "/tags/latest").then().statusCode(200)
                .body("digest", equalTo(digest)).body("tags", contains("26", "latest"));
    }

    @Test
    void propertiesSetByAPipelineAndByAPromotionAreReturnedWithTheManifest() {
        String repo = repoName();
        String digest = pushImage("dev/" + repo, "1", 114);
        given().contentType("application/json").body(Map.of("tests", "passed", "commit", "abc123"))
                .put("/api/v1/registries/dev/repositories/" + repo + "/manifests/" + digest + "/properties")
                .then().statusCode(200).body("tests", equalTo("passed"));
        Map<String, Object> body = request(repo, "dev", "qa", "digest", digest);
        body.put("properties", Map.of("approved-by", "release-bot"));
        promote(body).statusCode(201);
        given().get("/api/v1/registries/qa/repositories/" + repo + "/manifests/" + digest).then().statusCode(200)
                .body("properties.approved-by", equalTo("release-bot"))
                .body("promotions", hasSize(1)).body("promotions[0].from", equalTo("dev"));
        given().get("/api/v1/registries/dev/repositories/" + repo + "/manifests/" + digest + "/properties")
                .then().body("commit", equalTo("abc123"));
    }

    @Test
    void concurrentPromotionsRacingForOneImmutableTagLeaveExactlyOneWinner() throws Exception {
        String repo = repoName();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String digest = pushImage("dev/" + repo, "v" + i, 120 + i);
            promote(request(repo, "dev", "qa", "digest", digest)).statusCode(201);
            promote(request(repo, "qa", "staging", "digest", digest)).statusCode(201);
            digests.add(digest);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> results = new ArrayList<>();
        for (String digest : digests) {
            Map<String, Object> body = request(repo, "staging", "prod", "digest", digest);
            body.put("targetTags", List.of("release"));
            results.add(pool.submit(() -> given().contentType("application/json").body(body)
                    .post("/api/v1/promotions").statusCode()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> result : results) {
            statuses.add(result.get());
        }
        pool.shutdown();
        assertThat(statuses).containsOnly(201, 409);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
    }

    @Test
    void malformedRequestsAreRefusedWithReadableMessages() {
        promote(request("Team/App", "dev", "qa", "tag", "1")).statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        promote(request("team/app", "dev", "nowhere", "tag", "1")).statusCode(404)
                .body("code", equalTo("REGISTRY_UNKNOWN"));
        promote(request("team/app", "dev", "all", "tag", "1")).statusCode(403)
                .body("message", containsString("only Local registries receive promotions"));
        Map<String, Object> both = request("team/app", "dev", "qa", "tag", "1");
        both.put("digest", sha256("x".getBytes()));
        promote(both).statusCode(400).body("message", containsString("exactly one of digest and tag"));
    }

    @Test
    void theOpenApiDocumentDescribesThePromotionApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/promotions'.post.summary", containsString("Promote"));
    }

    private static void walk(String repo, String digest, String tag) {
        Map<String, Object> first = request(repo, "dev", "qa", "digest", digest);
        first.put("targetTags", List.of(tag));
        promote(first).statusCode(201);
        promote(request(repo, "qa", "staging", "tag", tag)).statusCode(201);
        promote(request(repo, "staging", "prod", "tag", tag)).statusCode(201);
    }

    private static long storedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("target/test-data/blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
