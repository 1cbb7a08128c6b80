package dev.gantry.registry.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.registry.registries.RegistryDefinition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Docker token flow as Docker Hub runs it: a 401 with a Bearer challenge, a token from the realm (with Basic
 * credentials when the registry has some), the request again with the token. The upstream here is a small HTTP server
 * on loopback that behaves as Docker Hub's registry and token service do (no real token service runs on these
 * machines).
 */
class UpstreamClientTest {
    private static final String MANIFEST = "{\"schemaVersion\":2}";
    private HttpServer server;
    private final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aBearerChallengeIsAnsweredWithATokenFromTheRealmAndTheTokenIsReused() throws Exception {
        UpstreamClient client = new UpstreamClient(Duration.ofSeconds(5));
        RegistryDefinition.Upstream upstream = new RegistryDefinition.Upstream(base, "6h");

        assertThat(new String(client.manifest(upstream, "library/app", "1").orElseThrow().body(),
                StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
        assertThat(client.manifestDigest(upstream, "library/app", "1")).contains("sha256:abc");
        assertThat(tokenRequests).containsExactly("service=fake-hub&scope=repository:library/app:pull|anonymous");
    }

    @Test
    void theTokenIsRequestedWithTheRegistrysBasicCredentials() throws Exception {
        UpstreamClient client = new UpstreamClient(Duration.ofSeconds(5));
        RegistryDefinition.Upstream upstream = new RegistryDefinition.Upstream(base, "6h", "robot", "pw");
        client.manifest(upstream, "library/app", "1").orElseThrow();
        assertThat(tokenRequests).singleElement().asString().endsWith("|robot:pw");
    }

    @Test
    void aMissingManifestIsEmptyNotAnError() throws Exception {
        UpstreamClient client = new UpstreamClient(Duration.ofSeconds(5));
        assertThat(client.manifest(new RegistryDefinition.Upstream(base, "6h"), "library/app", "nope")).isEmpty();
    }

    @Test
    void dockerHubOneComponentNamesGainTheLibraryPrefix() {
        RegistryDefinition.Upstream hub = new RegistryDefinition.Upstream("https://registry-1.docker.io", "6h");
        assertThat(UpstreamClient.upstreamRepository(hub, "nginx")).isEqualTo("library/nginx");
        assertThat(UpstreamClient.upstreamRepository(hub, "bitnami/nginx")).isEqualTo("bitnami/nginx");
        RegistryDefinition.Upstream other = new RegistryDefinition.Upstream("http://127.0.0.1:5001", "6h");
        assertThat(UpstreamClient.upstreamRepository(other, "nginx")).isEqualTo("nginx");
    }

    private void token(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String who = auth == null ? "anonymous"
                : new String(Base64.getDecoder().decode(auth.substring("Basic ".length())), StandardCharsets.UTF_8);
        tokenRequests.add(exchange.getRequestURI().getRawQuery().replace("%3A", ":").replace("%2F", "/") + "|" + who);
        send(exchange, 200, "{\"token\":\"t0k3n\",\"expires_in\":300}", "application/json");
    }

    private void registry(HttpExchange exchange) throws IOException {
        if (!"Bearer t0k3n".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + base + "/token\","
                    + "service=\"fake-hub\",scope=\"repository:library/app:pull\"");
            send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", "application/json");
            return;
        }
        if (!exchange.getRequestURI().getPath().equals("/v2/library/app/manifests/1")) {
            send(exchange, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}", "application/json");
            return;
        }
        exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:abc");
        send(exchange, 200, MANIFEST, "application/vnd.oci.image.manifest.v1+json");
    }

    private static void send(HttpExchange exchange, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
