package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry container's configuration as deploy/ renders it, run for real: the built registry server started with
 * exactly the container's environment (its mounted files placed in a temporary directory instead: a certificate from
 * deploy/registry-certificate.sh, the admin password, the data volume), then asked over HTTPS verified against the
 * certificate's CA. A misnamed variable, plain HTTP left on or access control left off shows here, not in a cluster.
 */
class RegistryDeployConfigTest {
    private static final String PASSWORD = "deploy-config-test-password";

    @Test
    void theRenderedRegistryContainerServesHttpsOnlyWithAccessControl(@TempDir Path dir) throws Exception {
        Path jar = Manifests.root().resolve("registry/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            fail(jar + " is missing: build the registry first (./mvnw -pl registry package -DskipTests), or run the "
                    + "whole build, which builds the registry before this module");
        }
        StatefulSet registry = Rendered.of("deploy").one(StatefulSet.class, "gantry-registry");
        PodSpec pod = registry.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);

        // What the kubelet would mount, in a temporary directory.
        Path certificate = dir.resolve("certificate");
        DeployScriptsTest.certificate(certificate, dir, "localhost");
        Path admin = Files.createDirectories(dir.resolve("admin"));
        Files.writeString(admin.resolve("password"), PASSWORD + "\n");
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : container.getVolumeMounts()) {
            Path local = switch (mount.getName()) {
                case "tls" -> certificate;
                case "admin" -> admin;
                default -> Files.createDirectories(dir.resolve(mount.getName()));
            };
            mounts.put(mount.getMountPath(), local);
        }
        // The ConfigMaps' files, with the paths they name moved the same way.
        Rendered deploy = Rendered.of("deploy");
        for (var volume : pod.getVolumes()) {
            if (volume.getConfigMap() == null) {
                continue;
            }
            String mountPath = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName()))
                    .findFirst().orElseThrow().getMountPath();
            var data = deploy.one(ConfigMap.class, volume.getConfigMap().getName()).getData();
            for (var file : data.entrySet()) {
                Files.writeString(mounts.get(mountPath).resolve(file.getKey()), localise(file.getValue(), mounts));
            }
        }

        int https = freePort();
        int plain = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar variable : container.getEnv()) {
            assertThat(variable.getValueFrom()).as("%s: the registry reads no Kubernetes API values", variable.getName())
                    .isNull();
            env.put(variable.getName(), localise(variable.getValue(), mounts));
        }
        // The only changes: loopback instead of every interface, free ports instead of 5443 (and the plain port
        // that must stay closed).
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(https));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(plain));
        assertThat(container.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(5443));

        Path log = dir.resolve("registry.log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).directory(dir.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certificate.resolve("ca.crt")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("https://localhost:" + https);
            awaitReady(client, base, process, log);

            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(base.resolve("/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as("access control is on").isEqualTo(401);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> asAdmin = client.send(HttpRequest.newBuilder(base.resolve("/v2/"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(asAdmin.statusCode()).as("the admin password is read from the mounted file").isEqualTo(200);
            assertThat(refused(plain)).as("plain HTTP is off").isTrue();
            assertThat(Files.readString(log)).contains("HTTPS");
            assertThat(Files.exists(dir.resolve("data").resolve("gantry.db"))).as("data on the volume").isTrue();
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Every path under a mount point moved to the local directory standing in for it. */
    private static String localise(String text, Map<String, Path> mounts) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String value = line;
            int at = line.indexOf('/');
            if (at >= 0) {
                String path = line.substring(at);
                for (Map.Entry<String, Path> mount : mounts.entrySet()) {
                    if (path.startsWith(mount.getKey() + "/") || path.equals(mount.getKey())) {
                        value = line.substring(0, at) + mount.getValue() + path.substring(mount.getKey().length());
                        break;
                    }
                }
            }
            out.append(value).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private static void awaitReady(HttpClient client, URI base, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("the registry stopped (exit " + process.exitValue() + "):\n" + tail(log));
            }
            try {
                if (client.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("the registry was not ready over HTTPS within 60 s:\n" + tail(log));
    }

    /** The end of the (JSON) log, where the cause is. */
    private static String tail(Path log) throws IOException {
        String text = Files.readString(log);
        return text.length() <= 3000 ? text : "…" + text.substring(text.length() - 3000);
    }

    private static boolean refused(int port) throws IOException {
        try {
            new Socket("127.0.0.1", port).close();
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
