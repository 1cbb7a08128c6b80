package dev.gantry.registry.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VersionCheckRouteTest {

    @Test
    void theVersionCheckAnswers200WithTheDistributionApiVersion() {
        given().when().get("/v2/").then()
                .statusCode(200)
                .header("Docker-Distribution-API-Version", "registry/2.0")
                .contentType("application/json")
                .body(equalTo("{}"));
    }

    @Test
    void theVersionCheckAlsoAnswersWithoutTheTrailingSlashAndToHead() {
        given().when().get("/v2").then().statusCode(200).header("Docker-Distribution-API-Version", "registry/2.0");
        given().when().head("/v2/").then().statusCode(200).header("Docker-Distribution-API-Version", "registry/2.0");
    }

    @Test
    void livenessAndReadinessAreServed() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks[0].name", equalTo("storage"))// other tests add registries to the same store: the default pipeline's five at least
                .body("checks[0].data.registries", greaterThanOrEqualTo(5));
    }
}
