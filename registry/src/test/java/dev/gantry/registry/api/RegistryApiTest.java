package dev.gantry.registry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registries managed through the API in the shape of the Registry CRD's spec, as the operator does. */
@QuarkusTest
class RegistryApiTest {

    static String name() {
        return "r" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aRegistryIsCreatedOnceAndAnIdenticalPutIsANoOp() {
        String name = name();
        Map<String, Object> spec = Map.of("type", "Local", "allowPush", true);
        given().contentType("application/json").body(spec).put("/api/v1/registries/" + name).then().statusCode(201)
                .body("name", equalTo(name)).body("spec.type", equalTo("Local"))
                .body("status.repositories", equalTo(0));
        given().contentType("application/json").body(spec).put("/api/v1/registries/" + name).then().statusCode(200);
        given().post("/v2/" + name + "/app/blobs/uploads/").then().statusCode(202);
        given().get("/api/v1/registries").then().statusCode(200).body("name", hasItems("dev", "qa", name));
    }

    @Test
    void aNewStageCanReceivePromotionsFromAnExistingOne() {
        String name = name();
        given().contentType("application/json").body(Map.of("type", "Local", "allowPush", false,
                "promotionSources", List.of("qa"))).put("/api/v1/registries/" + name).then().statusCode(201);
        given().post("/v2/" + name + "/app/blobs/uploads/").then().statusCode(403)
                .body("errors[0].detail", containsString("by promotion from qa"));
    }

    @Test
    void changingARegistrysTypeIsRefused() {
        String name = name();
        given().contentType("application/json").body(Map.of("type", "Local")).put("/api/v1/registries/" + name)
                .then().statusCode(201);
        given().contentType("application/json").body(Map.of("type", "Virtual", "members", List.of("dev")))
                .put("/api/v1/registries/" + name).then().statusCode(409).body("code", equalTo("TYPE_IMMUTABLE"));
    }

    @Test
    void anInconsistentRegistryIsRefusedWithTheProblem() {
        given().contentType("application/json").body(Map.of("type", "Virtual", "members", List.of("ghost")))
                .put("/api/v1/registries/" + name()).then().statusCode(400).body("code", equalTo("INVALID_REQUEST"))
                .body("message", containsString("member 'ghost'"));
        given().contentType("application/json").body(Map.of("type", "Local")).put("/api/v1/registries/Bad_Name")
                .then().statusCode(400).body("message", containsString("DNS-1123"));
    }

    @Test
    void deletingARegistryThatHoldsContentNeedsForce() {
        String name = name();
        given().contentType("application/json").body(Map.of("type", "Local")).put("/api/v1/registries/" + name)
                .then().statusCode(201);
        Oci.pushImage(name + "/team/app", "1", 200);
        given().get("/api/v1/registries/" + name).then().body("status.repositories", equalTo(1))
                .body("status.manifests", equalTo(1));
        given().delete("/api/v1/registries/" + name).then().statusCode(409)
                .body("code", equalTo("REGISTRY_NOT_EMPTY"));
        given().get("/v2/" + name + "/team/app/manifests/1").then().statusCode(200);
        given().delete("/api/v1/registries/" + name + "?force=true").then().statusCode(204);
        given().get("/api/v1/registries/" + name).then().statusCode(404).body("code", equalTo("REGISTRY_UNKNOWN"));
        given().get("/v2/" + name + "/team/app/manifests/1").then().statusCode(404)
                .body("errors[0].code", equalTo("NAME_UNKNOWN"));
    }

    @Test
    void aRegistryOthersDependOnCannotBeDeletedEvenByForce() {
        String source = name();
        String stage = name();
        given().contentType("application/json").body(Map.of("type", "Local")).put("/api/v1/registries/" + source)
                .then().statusCode(201);
        given().contentType("application/json").body(Map.of("type", "Local", "promotionSources", List.of(source)))
                .put("/api/v1/registries/" + stage).then().statusCode(201);
        given().delete("/api/v1/registries/" + source + "?force=true").then().statusCode(409)
                .body("code", equalTo("REGISTRY_IN_USE")).body("message", containsString(stage));
        given().get("/api/v1/registries/" + source).then().statusCode(200);
    }
}
