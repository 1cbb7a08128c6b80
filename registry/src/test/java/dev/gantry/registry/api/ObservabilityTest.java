package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Metrics by route and status, Gantry's byte and duration metrics, and request ids. */
@QuarkusTest
class ObservabilityTest {

    @Test
    void metricsCountRequestsByRouteTemplateNotByRepository() {
        String repo = uniqueRepo("dev");
        String digest = pushBlob(repo, randomBytes(12_345, 50));
        given().get("/v2/" + repo + "/blobs/" + digest).then().statusCode(200);
        given().get("/v2/" + repo + "/manifests/missing").then().statusCode(404);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("uri=\"/v2/{name}/blobs/{digest}\"")
                .contains("uri=\"/v2/{name}/manifests/{reference}\"")
                .contains("gantry_registry_received_bytes_total")
                .contains("gantry_registry_sent_bytes_total")
                .contains("gantry_registry_upload_duration_seconds_count")
                .contains("gantry_registry_stored_bytes")
                .doesNotContain(repo);
        assertThat(value(metrics, "gantry_registry_received_bytes_total")).isGreaterThanOrEqualTo(12_345);
    }

    @Test
    void everyRegistryAnswerCarriesARequestIdAndEchoesTheCallersOne() {
        String generated = given().get("/v2/_catalog").then().statusCode(200).extract().header("X-Request-Id");
        assertThat(generated).isNotBlank();
        given().header("X-Request-Id", "ci-run-42").get("/v2/nosuch/app/tags/list").then()
                .header("X-Request-Id", "ci-run-42");
    }

    private static double value(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name)).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
