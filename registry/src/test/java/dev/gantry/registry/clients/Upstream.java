package dev.gantry.registry.clients;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real upstream registry for Remote-registry tests: Debian's {@code docker-registry} (CNCF Distribution) on a free
 * loopback port with its own storage, anonymous or with HTTP Basic auth, started and stopped by the test.
 */
final class Upstream implements AutoCloseable {
    static final String USER = "puller";
    static final String PASSWORD = "s3cret-pull";

    private final Path dir;
    private final int port;
    private final boolean basicAuth;
    private Process process;

    private Upstream(Path dir, int port, boolean basicAuth) {
        this.dir = dir;
        this.port = port;
        this.basicAuth = basicAuth;
    }

    static Upstream start(boolean basicAuth) throws Exception {
        Path dir = TestImages.shortTempDir("gantry-upstream-");
        Upstream upstream = new Upstream(dir, freePort(), basicAuth);
        upstream.start();
        return upstream;
    }

    void start() throws Exception {
        String binary = ClientTool.DOCKER_REGISTRY.require();
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log: {level: warn}
                storage:
                  filesystem: {rootdirectory: %s}
                  delete: {enabled: true}
                http: {addr: 127.0.0.1:%d}
                """.formatted(dir.resolve("data"), port));
        if (basicAuth) {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, USER + ":" + new String(BCrypt.withDefaults().hash(10,
                    PASSWORD.toCharArray())) + "\n");
            config.append("auth:\n  htpasswd: {realm: upstream, path: ").append(htpasswd).append("}\n");
        }
        Path file = dir.resolve("config.yml");
        Files.writeString(file, config);
        process = new ProcessBuilder(binary, "serve", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("docker-registry did not start on " + port + ":\n"
                        + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
    }

    /** Stops the upstream (as an outage would), keeping its storage for a restart. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    /** How many requests of a method and path the upstream's access log shows. */
    long requests(String method, String path) throws java.io.IOException {
        String needle = "\"" + method + " " + path + " HTTP/";
        try (var lines = Files.lines(dir.resolve("registry.log"))) {
            return lines.filter(l -> l.contains(needle)).count();
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Pushes an image to the upstream with skopeo, with credentials where the upstream wants them. */
    void push(TestImages.Image image, String repository, String tag) {
        if (basicAuth) {
            Skopeo.copy(image.ociReference(), "docker://" + address() + "/" + repository + ":" + tag,
                    "--preserve-digests", "--dest-creds", USER + ":" + PASSWORD);
        } else {
            Skopeo.copy(image.ociReference(), "docker://" + address() + "/" + repository + ":" + tag,
                    "--preserve-digests");
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        TestImages.deleteRecursively(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
