package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.imageManifest;
import static dev.gantry.registry.api.Oci.pushImage;
import static dev.gantry.registry.api.Oci.putManifest;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The registry as the first path component: names, the default pipeline's rules, errors in the spec's shape. */
@QuarkusTest
class NamesAndRegistriesTest {
    @TestHTTPResource("/")
    URL base;

    @Test
    void anUnknownRegistryAnswersNameUnknownNamingTheRegistries() {
        given().get("/v2/nosuch/app/tags/list").then().statusCode(404)
                .body("errors", hasSize(1))
                .body("errors[0].code", equalTo("NAME_UNKNOWN"))
                .body("errors[0].message", equalTo("repository name not known to registry"))
                // other tests add registries to the same store: the default ones must be among those named
                .body("errors[0].detail", org.hamcrest.Matchers.allOf(
                        containsString("no registry named \"nosuch\"; this server has all, dev, "),
                        containsString(" prod, "), containsString(" qa, "), containsString(" staging")));
    }

    @Test
    void aNameOutsideTheGrammarIsInvalid() {
        given().get("/v2/dev/Team/App/tags/list").then().statusCode(400)
                .body("errors[0].code", equalTo("NAME_INVALID"));
        given().get("/v2/dev/manifests/1").then().statusCode(400)
                .body("errors[0].detail", containsString("<registry>/<repository>"));
    }

    @Test
    void traversalInTheRawPathIsInvalidNeverNormalised() throws IOException {
        for (String path : new String[] {"/v2/dev/../prod/x/manifests/1", "/v2/dev/%2e%2e/prod/x/manifests/1",
                "/v2/dev/x%2Fy/manifests/1", "/v2/dev//x/manifests/1", "/v2/dev/./x/manifests/1"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 400").contains("NAME_INVALID");
        }
    }

    @Test
    void pushingIntoARegistryThatReceivesByPromotionIsDenied() {
        String repo = uniqueRepo("qa");
        given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(403)
                .body("errors[0].code", equalTo("DENIED"))
                .body("errors[0].detail", containsString("by promotion from dev"));
        putManifest(repo, "1", OCI_MANIFEST, "{}".getBytes()).then().statusCode(403);
    }

    @Test
    void aPushThroughTheVirtualRegistryLandsInItsDeployTarget() {
        String name = uniqueRepo("dev").substring("dev/".length());
        byte[] manifest = imageManifest("all/" + name, 30, null, null);
        putManifest("all/" + name, "1", OCI_MANIFEST, manifest).then().statusCode(201);
        given().get("/v2/dev/" + name + "/manifests/1").then().statusCode(200)
                .header("Docker-Content-Digest", sha256(manifest));
        given().get("/v2/all/" + name + "/manifests/" + sha256(manifest)).then().statusCode(200);
    }

    @Test
    void theVirtualRegistryListsTheTagsOfItsMembers() {
        String name = uniqueRepo("dev").substring("dev/".length());
        pushImage("dev/" + name, "1", 31);
        given().get("/v2/all/" + name + "/tags/list").then().statusCode(200).body("tags", hasSize(1));
    }

    @Test
    void anUnknownEndpointIsAnsweredInTheSpecsErrorShape() {
        given().get("/v2/dev/app/nonsense").then().statusCode(404).body("errors[0].code", equalTo("UNSUPPORTED"));
    }

    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
