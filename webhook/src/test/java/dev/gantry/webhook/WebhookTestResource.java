package dev.gantry.webhook;

import dev.gantry.testing.Certificates;
import dev.gantry.testing.RegistryServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the webhook runs against in its tests: the real registry server (for verifyPromoted), a serving certificate
 * from an openssl-made CA (kube-apiserver calls webhooks over HTTPS only), and a second CA's certificate to swap in.
 * Paths are kept in system properties: the test and this resource may see different class loaders.
 */
public class WebhookTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String HOST = "gantry.test:5000";
    public static final String ALIAS = "registry.gantry.internal:5000";
    static final String DIR = "webhook-test.dir";
    static final String PORT = "webhook-test.https-port";
    static final List<String> NAMES = List.of("localhost", "IP:127.0.0.1", "gantry-webhook.gantry-system.svc");

    @Override
    public Map<String, String> start() {
        RegistryServer server = RegistryServer.shared();
        Path dir = dir();
        Path cert = dir.resolve("live/tls.crt");
        Path key = dir.resolve("live/tls.key");
        if (!Files.exists(cert)) {
            try {
                Files.createDirectories(cert.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Certificates.install(first(), cert, key);
        }
        return Map.ofEntries(
                Map.entry("gantry.webhook.registry.hosts", HOST + "," + ALIAS),
                Map.entry("gantry.webhook.registry.url", server.url()),
                Map.entry("gantry.webhook.registry.username", "admin"),
                Map.entry("gantry.webhook.registry.password", RegistryServer.ADMIN_PASSWORD),
                Map.entry("gantry.webhook.promoted.negative-ttl", "1s"),
                Map.entry("quarkus.tls.webhook.key-store.pem.0.cert", cert.toString()),
                Map.entry("quarkus.tls.webhook.key-store.pem.0.key", key.toString()),
                Map.entry("gantry.tls.reload-period", "1s"),
                Map.entry("quarkus.http.test-ssl-port", System.getProperty(PORT)));
    }

    @Override
    public void stop() {
        RegistryServer.shared().stop();
    }

    static synchronized Path dir() {
        if (System.getProperty(DIR) == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "webhook-tls");
                System.setProperty(DIR, dir.toString());
                try (ServerSocket socket = new ServerSocket(0)) {
                    System.setProperty(PORT, Integer.toString(socket.getLocalPort()));
                }
                Certificates.authority(dir, "first", NAMES);
                Certificates.authority(dir, "second", NAMES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Path.of(System.getProperty(DIR));
    }

    static Certificates.Authority first() {
        return authority("first");
    }

    static Certificates.Authority second() {
        return authority("second");
    }

    private static Certificates.Authority authority(String name) {
        Path d = dir().resolve(name);
        return new Certificates.Authority(d, d.resolve("ca.crt"), d.resolve("server.crt"), d.resolve("server.key"));
    }
}
