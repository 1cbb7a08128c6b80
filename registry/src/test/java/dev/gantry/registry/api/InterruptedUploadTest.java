package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A client that dies mid-upload leaves a resumable session, never a blob under a digest. */
@QuarkusTest
class InterruptedUploadTest {
    @TestHTTPResource("/")
    URL base;

    @Test
    void anUploadCutOffMidBodyStoresNoBlobAndCanBeResumed() throws Exception {
        String repo = uniqueRepo("dev");
        byte[] content = randomBytes(1_000_000, System.nanoTime()); // new content: the store outlives runs
        String digest = sha256(content);
        String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                .extract().header("Location");

        // A monolithic PUT announcing the whole blob, cut off after 400 kB.
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + location + "?digest=" + digest + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    + "application/octet-stream\r\nContent-Length: " + content.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(content, 0, 400_000);
            out.flush();
            Thread.sleep(300);
        }

        Path blob = Path.of("target/test-data/blobs/sha256", digest.substring(7, 9), digest.substring(7));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get(location).then()
                .statusCode(204).header("Range", "0-399999"));
        assertThat(blob).doesNotExist();
        given().head("/v2/" + repo + "/blobs/" + digest).then().statusCode(404);

        given().contentType("application/octet-stream").header("Content-Range", "400000-999999")
                .body(Arrays.copyOfRange(content, 400_000, content.length))
                .put(location + "?digest=" + digest).then().statusCode(201);
        assertThat(Files.readAllBytes(blob)).isEqualTo(content);
    }

    /**
     * The registry looks a session up and opens its file before it reads a body; a client that resets the connection
     * meanwhile must not leave the file open nor the session held, or the session refuses every later write.
     */
    @Test
    void clientsThatLeaveBeforeTheirBodyIsReadLeaveNeitherAnOpenFileNorAHeldSession() throws Exception {
        String repo = uniqueRepo("dev");
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202)
                    .extract().header("Location");
            locations.add(location);
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                socket.setSoLinger(true, 0); // close with a reset, at once
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }

        Awaitility.await("no upload file left open").atMost(Duration.ofSeconds(10))
                .until(() -> openUploadFiles().isEmpty());
        byte[] content = randomBytes(1000, System.nanoTime());
        for (String location : locations) {
            given().get(location).then().statusCode(204);
            // a chunk without Content-Range appends to whatever the session holds (0 bytes, or the 4 that arrived)
            given().contentType("application/octet-stream").body(content).patch(location).then().statusCode(202);
        }
    }

    /** Files under the store's uploads/ this process holds open (Linux: /proc/self/fd). */
    private static List<String> openUploadFiles() throws Exception {
        List<String> open = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("/uploads/")) {
                        open.add(target);
                    }
                } catch (java.io.IOException gone) {
                    // closed while listed
                }
            }
        }
        return open;
    }
}
