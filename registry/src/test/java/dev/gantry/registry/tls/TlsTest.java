package dev.gantry.registry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gantry.registry.clients.ClientTool;
import dev.gantry.registry.clients.CommandRunner;
import dev.gantry.registry.clients.ImageAssertions;
import dev.gantry.registry.clients.OciLayout;
import dev.gantry.registry.clients.TestImages;
import dev.gantry.registry.clients.TestRegistry;
import dev.gantry.tls.CertificateReload;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.CertificateUpdatedEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on HTTPS from a PEM certificate and key (the TLS registry configuration "gantry"): served to clients
 * that trust the CA, plain HTTP not served, and the files reloaded without a restart when, and only when, they
 * changed. The last tests swap the certificate, so the order matters.
 */
@QuarkusTest
@TestProfile(TlsTest.WithCertificate.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsTest {

    /**
     * The files and ports of this run. The profile is read in another class loader than the test's, so the state is
     * kept in system properties (JVM-wide) and made once.
     */
    static final class Setup {
        private static final String DIR_PROPERTY = "tls-test.dir";
        private static final String HTTPS_PORT_PROPERTY = "tls-test.https-port";
        private static final String HTTP_PORT_PROPERTY = "tls-test.http-port";

        final Path dir;
        final TestCertificates.Authority first;
        final TestCertificates.Authority second;
        final Path cert;
        final Path key;
        final int httpsPort;
        final int httpPort;

        private Setup(Path dir, int httpsPort, int httpPort) {
            this.dir = dir;
            this.first = new TestCertificates.Authority(dir.resolve("first"), dir.resolve("first/ca.crt"),
                    dir.resolve("first/server.crt"), dir.resolve("first/server.key"), "first server");
            this.second = new TestCertificates.Authority(dir.resolve("second"), dir.resolve("second/ca.crt"),
                    dir.resolve("second/server.crt"), dir.resolve("second/server.key"), "second server");
            this.cert = dir.resolve("served/tls.crt");
            this.key = dir.resolve("served/tls.key");
            this.httpsPort = httpsPort;
            this.httpPort = httpPort;
        }

        static synchronized Setup get() {
            String existing = System.getProperty(DIR_PROPERTY);
            if (existing != null) {
                return new Setup(Path.of(existing), Integer.getInteger(HTTPS_PORT_PROPERTY),
                        Integer.getInteger(HTTP_PORT_PROPERTY));
            }
            try {
                Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "tls-test")), "run-")
                        .toAbsolutePath();
                TestCertificates.authority(dir, "first");
                TestCertificates.authority(dir, "second");
                Setup setup = new Setup(dir, freePort(), freePort());
                Files.createDirectories(setup.cert.getParent());
                TestCertificates.install(setup.first, setup.cert, setup.key);
                System.setProperty(DIR_PROPERTY, dir.toString());
                System.setProperty(HTTPS_PORT_PROPERTY, Integer.toString(setup.httpsPort));
                System.setProperty(HTTP_PORT_PROPERTY, Integer.toString(setup.httpPort));
                return setup;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }

        URI https(String path) {
            return URI.create("https://127.0.0.1:" + httpsPort + path);
        }

        String address() {
            return "127.0.0.1:" + httpsPort;
        }
    }

    /** What an operator sets for TLS (the two PEM paths), plus fixed ports and a short reload period for the test. */
    public static class WithCertificate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Setup setup = Setup.get();
            return Map.of(
                    "quarkus.tls.gantry.key-store.pem.0.cert", setup.cert.toString(),
                    "quarkus.tls.gantry.key-store.pem.0.key", setup.key.toString(),
                    "gantry.tls.reload-period", "1s",
                    "quarkus.http.test-ssl-port", Integer.toString(setup.httpsPort),
                    "quarkus.http.test-port", Integer.toString(setup.httpPort),
                    "gantry.data-dir", setup.dir.resolve("data").toString());
        }
    }

    private final Setup setup = Setup.get();

    @Inject
    CertificateReload reload;
    @Inject
    CertificateUpdates updates;

    @TempDir
    Path tmp;

    @Test
    @Order(1)
    void aClientThatTrustsOnlyTheConfiguredCaGets200AndTheDistributionApiVersionOverHttps() throws Exception {
        HttpResponse<String> response = get(setup.first.trustingOnlyThisCa(), "/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
        assertThat(response.uri().getScheme()).isEqualTo("https");
        assertThat(peer(response).getSubjectX500Principal().getName()).isEqualTo("CN=first server");
    }

    @Test
    @Order(2)
    void aClientThatDoesNotTrustTheCaIsRefusedTheHandshake() {
        assertThatThrownBy(() -> get(setup.second.trustingOnlyThisCa(), "/v2/"))
                .isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> get(SSLContext.getDefault(), "/v2/")).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    @Order(3)
    void plainHttpIsServedNeitherOnTheHttpPortNorOnTheHttpsPort() throws InterruptedException {
        assertThatThrownBy(() -> plainGet(setup.httpPort)).as("plain HTTP port %d", setup.httpPort)
                .isInstanceOf(ConnectException.class);
        try {
            HttpResponse<String> answer = plainGet(setup.httpsPort);
            assertThat(answer.statusCode()).as("plain HTTP to the HTTPS port").isNotEqualTo(200);
            assertThat(answer.headers().firstValue("Docker-Distribution-API-Version")).isEmpty();
        } catch (IOException e) {
            // refused at the TLS layer: what we want
        }
    }

    @Test
    @Order(4)
    void skopeoPushesInspectsAndPullsOverHttpsWithTlsVerificationOn() {
        TestImages.Image image = TestImages.singlePlatform(41, "amd64", 64 * TestImages.KIB);
        String reference = "docker://" + setup.address() + "/" + TestRegistry.repository("dev/tls/app") + ":1";
        String certDir = setup.first.certDir().toString();
        String skopeo = ClientTool.SKOPEO.require();

        ok(skopeo, "--insecure-policy", "copy", "--dest-tls-verify=true", "--dest-cert-dir", certDir,
                "--preserve-digests", image.ociReference(), reference);
        CommandRunner.Result raw = ok(skopeo, "--insecure-policy", "inspect", "--tls-verify=true", "--cert-dir",
                certDir, "--raw", reference);
        assertThat(raw.stdoutBytes()).isEqualTo(image.rootBytes());
        Path pulled = tmp.resolve("pulled");
        ok(skopeo, "--insecure-policy", "copy", "--src-tls-verify=true", "--src-cert-dir", certDir, reference,
                "oci:" + pulled + ":pulled");
        ImageAssertions.assertSameImage(image.layout(), image.tag(), new OciLayout(pulled), "pulled");

        CommandRunner.Result untrusted = CommandRunner.fails(List.of(skopeo, "--insecure-policy", "inspect",
                "--tls-verify=true", "--raw", reference));
        assertThat(untrusted.stderr()).as(untrusted.describe()).containsIgnoringCase("certificate");
    }

    @Test
    @Order(5)
    void unchangedFilesAreNeverHandedToTheServerAgain() {
        // Each hand-over drops connections accepted meanwhile (Vert.x): checking must not mean handing over.
        await("three reload periods").during(Duration.ofMillis(3_500)).atMost(Duration.ofSeconds(5))
                .until(() -> updates.count() == 0);
        assertThat(reload.check()).as("a check of unchanged files").isFalse();
        assertThat(updates.count()).isZero();
    }

    @Test
    @Order(6)
    void aNewKeyWithoutItsCertificateIsNotServedUntilTheCertificateFollows() throws Exception {
        Files.copy(setup.second.serverKey(), setup.key, StandardCopyOption.REPLACE_EXISTING);

        await("three reload periods").during(Duration.ofMillis(3_500)).atMost(Duration.ofSeconds(5))
                .until(() -> updates.count() == 0);
        HttpResponse<String> meanwhile = get(setup.first.trustingOnlyThisCa(), "/v2/");
        assertThat(meanwhile.statusCode()).isEqualTo(200);
        assertThat(peer(meanwhile).getSubjectX500Principal().getName()).isEqualTo("CN=first server");
        // the swap's second half is the next test
    }

    @Test
    @Order(7)
    void replacedCertificateAndKeyFilesAreServedToNewConnectionsWithoutARestart() throws Exception {
        assertThatThrownBy(() -> get(setup.second.trustingOnlyThisCa(), "/v2/")).as("before the swap")
                .isInstanceOf(SSLHandshakeException.class);

        TestCertificates.install(setup.second, setup.cert, setup.key);

        await("the second certificate served to new connections").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(SSLHandshakeException.class)
                .untilAsserted(() -> {
                    HttpResponse<String> response = get(setup.second.trustingOnlyThisCa(), "/v2/");
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(peer(response).getSubjectX500Principal().getName()).isEqualTo("CN=second server");
                    assertThat(peer(response).getSerialNumber())
                            .isEqualTo(setup.second.serverCertificate().getSerialNumber());
                });
        assertThatThrownBy(() -> get(setup.first.trustingOnlyThisCa(), "/v2/")).as("the first CA after the swap")
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(updates.count()).as("hand-overs to the server").isEqualTo(1);
    }

    /** Counts the certificate hand-overs to the HTTP server (the event Quarkus' HTTP server acts on). */
    @Singleton
    static class CertificateUpdates {
        private final AtomicInteger count = new AtomicInteger();

        void on(@Observes CertificateUpdatedEvent event) {
            count.incrementAndGet();
        }

        int count() {
            return count.get();
        }
    }

    /** A GET on a new client, so on a new connection: the JDK client pools connections per client. */
    private HttpResponse<String> get(SSLContext tls, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(setup.https(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static HttpResponse<String> plainGet(int port) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static X509Certificate peer(HttpResponse<?> response) throws Exception {
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** Runs a client command that must succeed; on failure runs it again with {@code --debug} for the report. */
    private static CommandRunner.Result ok(String... command) {
        CommandRunner.Result result = CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, Map.of(), List.of(command));
        if (!result.succeeded()) {
            List<String> debug = new ArrayList<>(List.of(command));
            debug.add(1, "--debug");
            org.junit.jupiter.api.Assertions.fail("client command failed\n" + result.describe()
                    + "\n\n=== the same with --debug ===\n"
                    + CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, Map.of(), debug).describe());
        }
        return result;
    }
}
