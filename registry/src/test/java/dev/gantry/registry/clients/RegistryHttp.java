package dev.gantry.registry.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP to the registry under test (java.net.http), for the spec-level checks clients cannot show. */
public final class RegistryHttp {

    public static final String MANIFEST_ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private RegistryHttp() {
    }

    public static HttpClient client() {
        return CLIENT;
    }

    public static URI uri(String pathAndQuery) {
        return TestRegistry.baseUri().resolve(pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery);
    }

    public static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(60));
    }

    /** GET of a manifest by tag or digest, accepting every manifest type. */
    public static HttpResponse<byte[]> getManifest(String repository, String reference) {
        return send(request("/v2/" + repository + "/manifests/" + reference).header("Accept", MANIFEST_ACCEPT)
                .GET().build());
    }

    /** HEAD of a manifest by tag or digest, accepting every manifest type. */
    public static HttpResponse<byte[]> headManifest(String repository, String reference) {
        return send(request("/v2/" + repository + "/manifests/" + reference).header("Accept", MANIFEST_ACCEPT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** A one-line description of a response for assertion messages: status, headers, and a short body. */
    public static String describe(HttpResponse<byte[]> response) {
        String body = new String(response.body() == null ? new byte[0] : response.body(),
                java.nio.charset.StandardCharsets.UTF_8);
        if (body.length() > 600) {
            body = body.substring(0, 600) + "...";
        }
        return response.request().method() + " " + response.request().uri() + " -> " + response.statusCode() + " "
                + response.headers().map() + " body: " + body;
    }
}
