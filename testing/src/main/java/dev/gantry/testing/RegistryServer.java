package dev.gantry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The real registry server, as a separate process on a free loopback port (the operator and the webhook talk to it
 * over HTTP with their own credentials, never to a mock): built by the registry module, run from its quarkus-app with access
 * control on. It can be stopped and started again on the same port and data, to show the operator riding out an
 * outage. Also a small HTTP client to look at what the server holds, push test images and promote them.
 */
public final class RegistryServer {
    public static final String ADMIN_PASSWORD = "operator-test-" + UUID.randomUUID();
    /** Short, so the test can watch a rotated-out secret stop working. */
    public static final Duration ROTATION_OVERLAP = Duration.ofSeconds(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RegistryServer instance;

    private final int port;
    private final Path dataDir;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    private RegistryServer(int port, Path dataDir, Path log) {
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** The one server of this test run, started on first use. */
    public static synchronized RegistryServer shared() {
        if (instance == null) {
            Path target = Path.of("target").toAbsolutePath();
            String run = UUID.randomUUID().toString().substring(0, 8);
            int port = freePort();
            instance = new RegistryServer(port, target.resolve("registry-server-" + run),
                    target.resolve("registry-server-" + run + ".log"));
        }
        if (!instance.running()) {
            instance.start();
        }
        return instance;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public synchronized void start() {
        Path jar = Path.of("..", "registry", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("these tests run the real registry server, but " + jar
                    + " is missing: build it first (./mvnw -pl registry package -DskipTests), or run the whole "
                    + "build, which builds the registry before the modules that test against it");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("GANTRY_DATA_DIR", dataDir.toString());
        builder.environment().put("GANTRY_AUTH_ENABLED", "true");
        builder.environment().put("GANTRY_AUTH_ADMIN_PASSWORD", ADMIN_PASSWORD);
        builder.environment().put("GANTRY_AUTH_ROTATION_OVERLAP", ROTATION_OVERLAP.toSeconds() + "s");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the registry server: " + e.getMessage(), e);
        }
        Instant deadline = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the registry server exited with " + process.exitValue() + "; see "
                        + log);
            }
            try {
                if (get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("the registry server did not become ready in 90 s; see " + log);
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
