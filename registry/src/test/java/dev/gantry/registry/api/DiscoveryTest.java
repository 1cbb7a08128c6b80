package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_INDEX;
import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.descriptor;
import static dev.gantry.registry.api.Oci.imageManifest;
import static dev.gantry.registry.api.Oci.pushImage;
import static dev.gantry.registry.api.Oci.putManifest;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tags lists, the catalog and the referrers API. */
@QuarkusTest
class DiscoveryTest {

    @Test
    void tagsAreListedInLexicalOrderAndPaginatedWithLink() {
        String repo = uniqueRepo("dev");
        String digest = pushImage(repo, "b", 40);
        byte[] manifest = given().get("/v2/" + repo + "/manifests/" + digest).asByteArray();
        for (String tag : List.of("a", "C", "c", "1.0", "10")) {
            putManifest(repo, tag, OCI_MANIFEST, manifest).then().statusCode(201);
        }
        given().get("/v2/" + repo + "/tags/list").then().statusCode(200)
                .body("name", equalTo(repo))
                .body("tags", contains("1.0", "10", "C", "a", "b", "c"));
        given().get("/v2/" + repo + "/tags/list?n=2").then().statusCode(200)
                .header("Link", "</v2/" + repo + "/tags/list?n=2&last=10>; rel=\"next\"")
                .body("tags", contains("1.0", "10"));
        given().get("/v2/" + repo + "/tags/list?n=2&last=10").then().body("tags", contains("C", "a"));
        given().get("/v2/" + repo + "/tags/list?n=10&last=b").then().header("Link", nullValue())
                .body("tags", contains("c"));
    }

    @Test
    void theTagsOfAnUnknownRepositoryAreNameUnknown() {
        given().get("/v2/" + uniqueRepo("dev") + "/tags/list").then().statusCode(404)
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
    }

    @Test
    void theCatalogListsRepositoriesWithTheirRegistryAndPaginates() {
        String repo = uniqueRepo("dev");
        pushImage(repo, "1", 41);
        given().get("/v2/_catalog").then().statusCode(200).body("repositories", hasItem(repo));
        given().get("/v2/_catalog?n=1").then().statusCode(200).body("repositories", hasSize(1))
                .header("Link", org.hamcrest.Matchers.startsWith("</v2/_catalog?n=1&last="));
    }

    @Test
    void referrersListManifestsWhoseSubjectIsTheDigestAndFilterByArtifactType() {
        String repo = uniqueRepo("dev");
        byte[] image = imageManifest(repo, 42, null, null);
        putManifest(repo, "1", OCI_MANIFEST, image).then().statusCode(201);
        String subject = descriptor(OCI_MANIFEST, sha256(image), image.length);
        byte[] signature = imageManifest(repo, 43, subject, "application/vnd.dev.sigstore.bundle+json");
        byte[] sbom = imageManifest(repo, 44, subject, "application/spdx+json");
        putManifest(repo, sha256(signature), OCI_MANIFEST, signature).then().statusCode(201)
                .header("OCI-Subject", sha256(image));
        putManifest(repo, sha256(sbom), OCI_MANIFEST, sbom).then().statusCode(201);

        given().get("/v2/" + repo + "/referrers/" + sha256(image)).then().statusCode(200)
                .contentType(OCI_INDEX)
                .body("schemaVersion", equalTo(2))
                .body("manifests", hasSize(2))
                .header("OCI-Filters-Applied", nullValue());
        given().get("/v2/" + repo + "/referrers/" + sha256(image) + "?artifactType=application/spdx+json")
                .then().statusCode(200).header("OCI-Filters-Applied", "artifactType")
                .body("manifests", hasSize(1))
                .body("manifests[0].digest", equalTo(sha256(sbom)))
                .body("manifests[0].artifactType", equalTo("application/spdx+json"));
    }

    @Test
    void aDigestWithoutReferrersAnswersAnEmptyIndex() {
        String repo = uniqueRepo("dev");
        pushImage(repo, "1", 45);
        given().get("/v2/" + repo + "/referrers/" + sha256("nothing".getBytes())).then().statusCode(200)
                .body("manifests", empty());
    }
}
