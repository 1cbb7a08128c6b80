package dev.gantry.registry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A standalone registry driven by a folder's Registry YAML instead of the default pipeline. */
@QuarkusTest
@TestProfile(RegistriesFileTest.FromYaml.class)
class RegistriesFileTest {

    public static class FromYaml implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "registries-file");
                Path file = dir.resolve("registries.yaml");
                Files.writeString(file, """
                        apiVersion: gantry.dev/v1alpha1
                        kind: Registry
                        metadata: {name: build}
                        spec: {type: Local}
                        ---
                        apiVersion: gantry.dev/v1alpha1
                        kind: Registry
                        metadata: {name: live}
                        spec: {type: Local, allowPush: false, promotionSources: [build]}
                        ---
                        apiVersion: gantry.dev/v1alpha1
                        kind: Registry
                        metadata: {name: release}
                        spec: {type: Local, immutableTags: true}
                        """);
                return Map.of("gantry.registries-file", file.toString(), "gantry.data-dir",
                        dir.resolve("data").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void theRegistriesOfTheFileAreServedAndNoOthers() {
        given().post("/v2/build/app/blobs/uploads/").then().statusCode(202);
        given().post("/v2/live/app/blobs/uploads/").then().statusCode(403)
                .body("errors[0].detail", containsString("by promotion from build"));
        given().get("/v2/dev/app/tags/list").then().statusCode(404).body("errors[0].code", equalTo("NAME_UNKNOWN"))
                .body("errors[0].detail", containsString("build, live, release"));
    }

    @Test
    void anImmutableTagCannotBeMovedByAPushButTheSameDigestMayBePushedAgain() {
        String first = Oci.pushImage("release/app", "1.0", 70);
        byte[] same = given().get("/v2/release/app/manifests/1.0").asByteArray();
        Oci.putManifest("release/app", "1.0", Oci.OCI_MANIFEST, same).then().statusCode(201);
        byte[] other = Oci.imageManifest("release/app", 71, null, null);
        Oci.putManifest("release/app", "1.0", Oci.OCI_MANIFEST, other).then().statusCode(403)
                .body("errors[0].code", equalTo("DENIED"))
                .body("errors[0].detail", containsString("immutable"));
        given().get("/v2/release/app/manifests/1.0").then().header("Docker-Content-Digest", first);
    }
}
