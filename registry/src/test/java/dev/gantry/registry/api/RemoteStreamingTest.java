package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Remote registry's first pull of a blob: the client is served while the blob is still arriving from the upstream,
 * and concurrent pulls share one upstream read. The upstream is a loopback HTTP server that can hold back the second
 * half of the blob, which a real registry cannot be made to do.
 */
@QuarkusTest
class RemoteStreamingTest {
    @TestHTTPResource("/")
    URL base;

    private HttpServer upstream;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger blobReads = new AtomicInteger();
    private final byte[] blob = randomBytes(4 * 1024 * 1024, System.nanoTime());
    private final String digest = sha256(blob);

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/v2/", exchange -> {
            if (!exchange.getRequestURI().getPath().endsWith("/blobs/" + digest)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            blobReads.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, blob.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(blob, 0, blob.length / 2);
                out.flush();
                release.await(20, TimeUnit.SECONDS); // hold the rest back until the test has seen the first half
                out.write(blob, blob.length / 2, blob.length - blob.length / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        upstream.start();
    }

    @AfterEach
    void stopUpstream() {
        release.countDown();
        upstream.stop(0);
    }

    @Test
    void theFirstPullIsServedWhileTheBlobArrivesAndConcurrentPullsShareOneUpstreamRead() throws Exception {
        String remote = "s" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType("application/json").body(Map.of("type", "Remote", "upstream",
                Map.of("url", "http://127.0.0.1:" + upstream.getAddress().getPort()))).put("/api/v1/registries/"
                + remote).then().statusCode(201);
        URI uri = URI.create(base + "v2/" + remote + "/lib/app/blobs/" + digest);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Length")).contains(String.valueOf(blob.length));
        InputStream body = first.body();
        byte[] half = CompletableFuture.supplyAsync(() -> readFully(body, blob.length / 2))
                .get(10, TimeUnit.SECONDS); // arrives although the upstream has not finished
        assertThat(half).isEqualTo(java.util.Arrays.copyOf(blob, blob.length / 2));

        CompletableFuture<byte[]> second = http.sendAsync(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenApply(HttpResponse::body);
        Thread.sleep(300);
        release.countDown();

        byte[] rest = readFully(body, blob.length - blob.length / 2);
        assertThat(java.util.Arrays.copyOfRange(blob, blob.length / 2, blob.length)).isEqualTo(rest);
        assertThat(second.get(20, TimeUnit.SECONDS)).isEqualTo(blob);
        assertThat(blobReads.get()).as("upstream reads").isEqualTo(1);

        upstream.stop(0); // cached for good: served without the upstream
        given().get("/v2/" + remote + "/lib/app/blobs/" + digest).then().statusCode(200)
                .header("Content-Length", String.valueOf(blob.length));
    }

    private static byte[] readFully(InputStream in, int length) {
        try {
            return in.readNBytes(length);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
