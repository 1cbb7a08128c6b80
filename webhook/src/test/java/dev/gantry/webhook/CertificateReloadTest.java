package dev.gantry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.Certificates;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The serving certificate is re-read from its files (a mounted Secret the operator rotates) without a restart:
 * after the swap, new connections get the new certificate and reviews keep being answered.
 */
@QuarkusTest
class CertificateReloadTest extends WebhookTest {

    @Test
    void aSwappedCertificateIsServedWithoutARestart() throws Exception {
        Path dir = WebhookTestResource.dir().resolve("live");
        Certificates.Authority before = presented().getIssuerX500Principal().getName().contains("first")
                ? WebhookTestResource.first() : WebhookTestResource.second();
        Certificates.Authority after = before == WebhookTestResource.first() ? WebhookTestResource.second()
                : WebhookTestResource.first();

        Certificates.install(after, dir.resolve("tls.crt"), dir.resolve("tls.key"));

        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> presented().equals(after.serverCertificate()));
        assertThat(response(pod("plain", "nginx")).path("allowed").asBoolean()).isTrue();
    }

    private static X509Certificate presented() throws Exception {
        // A new connection each time: the reload applies to new connections.
        HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .sslContext(WebhookTestResource.first().trustingBoth(WebhookTestResource.second())).build()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + httpsPort()
                        + "/q/health/live")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }
}
