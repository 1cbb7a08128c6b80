package dev.gantry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * The real registry server, as a separate process on a free loopback port (the operator and the webhook talk to it
 * over HTTP with their own credentials, never to a mock): built by the registry module, run from its quarkus-app with access
 * control on ({@link QuarkusProcess}). It can be stopped and started again on the same port and data, to show the
 * operator riding out an outage. {@link #shared()} serves plain HTTP; {@link #startHttps} serves HTTPS only, as
 * deploy/ runs it. Also a small HTTP client to look at what the server holds, push test images and promote them.
 */
public final class RegistryServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "operator-test-" + UUID.randomUUID();
    /** Short, so the test can watch a rotated-out secret stop working. */
    public static final Duration ROTATION_OVERLAP = Duration.ofSeconds(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RegistryServer instance;

    private final int port;
    private final Certificates.Authority tls;
    private final QuarkusProcess process;
    private final HttpClient http;

    private RegistryServer(int port, Path dataDir, Path log, Certificates.Authority tls) {
        this.port = port;
        this.tls = tls;
        this.process = QuarkusProcess.of("registry", log)
                .env("QUARKUS_HTTP_HOST", "127.0.0.1")
                .env("GANTRY_DATA_DIR", dataDir.toString())
                .env("GANTRY_AUTH_ENABLED", "true")
                .env("GANTRY_AUTH_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("GANTRY_AUTH_ROTATION_OVERLAP", ROTATION_OVERLAP.toSeconds() + "s");
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls == null) {
            process.env("QUARKUS_HTTP_PORT", Integer.toString(port));
        } else {
            // HTTPS only (plain HTTP turns itself off once a certificate is configured; its port is moved off 8080
            // all the same). The certificate's keys are indexed, so they go in as -D options, not variables.
            process.env("QUARKUS_HTTP_SSL_PORT", Integer.toString(port))
                    .env("QUARKUS_HTTP_PORT", Integer.toString(QuarkusProcess.freePort()))
                    .property("quarkus.tls.gantry.key-store.pem.0.cert", tls.serverCert().toString())
                    .property("quarkus.tls.gantry.key-store.pem.0.key", tls.serverKey().toString());
            client.sslContext(tls.trustingOnlyThisCa());
        }
        this.http = client.build();
    }

    /** The one server of this test run, started on first use (plain HTTP). */
    public static synchronized RegistryServer shared() {
        if (instance == null) {
            Path target = Path.of("target").toAbsolutePath();
            String run = UUID.randomUUID().toString().substring(0, 8);
            instance = new RegistryServer(QuarkusProcess.freePort(), target.resolve("registry-server-" + run),
                    target.resolve("registry-server-" + run + ".log"), null);
        }
        if (!instance.running()) {
            instance.start();
        }
        return instance;
    }

    /**
     * A server of its own, started, serving HTTPS only with {@code tls}'s server certificate (which must name
     * 127.0.0.1), its data and log ({@code registry.log}) in {@code dir}. Stop it with {@link #close()}.
     */
    public static RegistryServer startHttps(Path dir, Certificates.Authority tls) {
        RegistryServer server = new RegistryServer(QuarkusProcess.freePort(), dir.resolve("registry-data"),
                dir.resolve("registry.log"), tls);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.stop(); // not ready in time: leave no process behind
            throw e;
        }
        return server;
    }

    /**
     * A server of its own, started, serving plain HTTP, its data and log ({@code registry.log}) in {@code dir}, with
     * more settings as environment variables (e.g. {@code GANTRY_STORAGE_JDBC_URL} for PostgreSQL). It keeps them
     * across {@link #kill()} and {@link #start()}. Stop it with {@link #close()}.
     */
    public static RegistryServer startHttp(Path dir, Map<String, String> env) {
        RegistryServer server = new RegistryServer(QuarkusProcess.freePort(), dir.resolve("registry-data"),
                dir.resolve("registry.log"), null);
        env.forEach(server.process::env);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        return server;
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://…} for a server started by {@link #startHttps}. */
    public String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public Path log() {
        return process.log();
    }

    public synchronized void start() {
        process.start();
        process.awaitReady(http, URI.create(url() + "/q/health/ready"), Duration.ofSeconds(90));
    }

    public synchronized boolean running() {
        return process.running();
    }

    public synchronized void stop() {
        process.stop();
    }

    /** SIGKILL, as a crash ({@link QuarkusProcess#kill()}); answers the exit status (137). {@link #start()} restarts. */
    public synchronized int kill() {
        return process.kill();
    }

    @Override
    public void close() {
        stop();
    }

    /** GET with the administrator's credential. */
    public HttpResponse<String> admin(String path) throws IOException {
        return get(path, basic("admin", ADMIN_PASSWORD));
    }

    public JsonNode adminJson(String path) throws IOException {
        HttpResponse<String> response = admin(path);
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** GET with the given Basic credential, as a kubelet pulling with a pull Secret would authenticate. */
    public HttpResponse<String> as(String username, String password, String path) throws IOException {
        return get(path, basic(username, password));
    }

    /** PUT of a JSON body with the administrator's credential; returns the status. */
    public int adminPut(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization",
                basic("admin", ADMIN_PASSWORD)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))).statusCode();
    }

    /** POST of a JSON body with the administrator's credential; returns the status. */
    public int adminPost(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization",
                basic("admin", ADMIN_PASSWORD)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))).statusCode();
    }

    /** POST of a JSON body with the administrator's credential; returns the whole response. */
    public HttpResponse<String> adminPostForResponse(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization",
                basic("admin", ADMIN_PASSWORD)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A body-less request with the given Basic credential (e.g. to show a pull credential cannot push). */
    public int statusOf(String method, String path, String username, String password) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Authorization", basic(username, password))
                .method(method, HttpRequest.BodyPublishers.noBody())).statusCode();
    }

    /**
     * Pushes a one-layer image (unique content) as the administrator and returns its manifest digest.
     */
    public String pushImage(String registry, String repository, String tag) throws IOException {
        String name = registry + "/" + repository;
        byte[] layer = ("layer " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]}," + "\"created\":\"" + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8);
        uploadBlob(name, layer);
        uploadBlob(name, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + sha256(layer) + "\",\"size\":"
                + layer.length + "}]}";
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + name + "/manifests/" + tag))
                .header("Authorization", basic("admin", ADMIN_PASSWORD))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)));
        if (put.statusCode() != 201) {
            throw new IOException("manifest push answered " + put.statusCode() + ": " + put.body());
        }
        return sha256(manifest.getBytes(StandardCharsets.UTF_8));
    }

    private void uploadBlob(String name, byte[] content) throws IOException {
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + name
                + "/blobs/uploads/?digest=" + sha256(content)))
                .header("Authorization", basic("admin", ADMIN_PASSWORD))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        if (post.statusCode() != 201) {
            throw new IOException("blob push answered " + post.statusCode() + ": " + post.body());
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
