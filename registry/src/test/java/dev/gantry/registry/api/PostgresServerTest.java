package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.pushImage;
import static dev.gantry.registry.api.Oci.putManifest;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole server on PostgreSQL (the storage contract suites cover the store itself): push, tags in byte order,
 * promotion and pull, through HTTP. Needs GANTRY_TEST_POSTGRES_URL (and _USER, _PASSWORD), which .ci/run provides.
 */
@QuarkusTest
@TestProfile(PostgresServerTest.OnPostgres.class)
class PostgresServerTest {
    private static final String URL = System.getenv("GANTRY_TEST_POSTGRES_URL");

    public static class OnPostgres implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (URL == null) {
                return Map.of("gantry.data-dir", "target/test-data-nopg"); // the test itself skips or fails
            }
            String user = System.getenv("GANTRY_TEST_POSTGRES_USER");
            String password = System.getenv("GANTRY_TEST_POSTGRES_PASSWORD");
            String schema = "server_" + UUID.randomUUID().toString().replace("-", "");
            java.util.Properties credentials = new java.util.Properties();
            credentials.setProperty("user", user);
            credentials.setProperty("password", password);
            // The driver itself, not DriverManager: it only sees drivers of the class loader that registered them.
            try (Connection c = new org.postgresql.Driver().connect(URL, credentials);
                    Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create schema " + schema + ": " + e.getMessage(), e);
            }
            return Map.of(
                    "gantry.storage.jdbc-url", URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                    "gantry.storage.username", user,
                    "gantry.storage.password", password,
                    "gantry.data-dir", "target/test-data-pg");
        }
    }

    @BeforeAll
    static void needsPostgres() {
        if (URL == null) {
            String why = "no PostgreSQL: set GANTRY_TEST_POSTGRES_URL (and _USER, _PASSWORD); .ci/run does";
            if ("true".equals(System.getenv("GANTRY_REQUIRE_SERVICES"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
    }

    @Test
    void anImageIsPushedTaggedPromotedAndPulledWithPostgresAsTheStore() {
        String repo = "pg" + UUID.randomUUID().toString().substring(0, 8) + "/app";
        String digest = pushImage("dev/" + repo, "b", 500);
        byte[] manifest = given().get("/v2/dev/" + repo + "/manifests/" + digest).asByteArray();
        for (String tag : List.of("a", "B", "_x", "a-b")) {
            putManifest("dev/" + repo, tag, OCI_MANIFEST, manifest).then().statusCode(201);
        }
        given().get("/v2/dev/" + repo + "/tags/list").then().statusCode(200)
                .body("tags", contains("B", "_x", "a", "a-b", "b")); // byte order, not the database's locale

        given().contentType("application/json").body(Map.of("repository", repo, "from", "dev", "to", "qa",
                "tag", "b")).post("/api/v1/promotions").then().statusCode(201).body("digest", equalTo(digest));
        given().accept(OCI_MANIFEST).get("/v2/qa/" + repo + "/manifests/b").then().statusCode(200)
                .header("Docker-Content-Digest", digest);
        given().get("/api/v1/registries/qa").then().statusCode(200)
                .body("status.manifests", equalTo(1));
    }
}
