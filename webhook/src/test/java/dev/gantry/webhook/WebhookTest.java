package dev.gantry.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentPolicy;
import dev.gantry.api.v1alpha1.EnvironmentSpec;
import dev.gantry.api.v1alpha1.PolicyMode;
import dev.gantry.testing.RegistryServer;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;

/**
 * The webhook as kube-apiserver meets it: AdmissionReviews POSTed over HTTPS (verifying the serving certificate)
 * to the running application, whose Environments and Namespaces come from the Fabric8 mock API server and whose
 * verifyPromoted questions go to the real registry server. One world for all test classes, built once:
 * <ul>
 * <li>{@code shop-qa} (stage=qa) → environment {@code qa}: registry qa, digest required and verified, exempts
 * {@code registry.k8s.io/pause:*};</li>
 * <li>{@code shop-warn} (stage=warn) → {@code qa-warn}: the same rules in Warn mode;</li>
 * <li>{@code shop-lenient} (stage=lenient) → {@code qa-lenient}: registry qa, tags allowed;</li>
 * <li>{@code shared} (stage=shared) → selected by {@code shared-a} and {@code shared-b};</li>
 * <li>{@code plain} → no environment; {@code kube-system} (stage=qa) → exempt as a system namespace.</li>
 * </ul>
 * {@link #promoted} was pushed to dev and promoted to qa; {@link #devOnly} was pushed to dev only.
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(WebhookTestResource.class)
public abstract class WebhookTest {
    protected static final String HOST = WebhookTestResource.HOST;
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static String promoted;
    protected static String devOnly;
    private static boolean built;

    @Inject
    protected KubernetesClient client;

    protected final RegistryServer registryServer = RegistryServer.shared();

    @BeforeEach
    void world() throws IOException {
        synchronized (WebhookTest.class) {
            if (built) {
                return;
            }
            String repo = "team/app";
            promoted = registryServer.pushImage("dev", repo, "1.0");
            int status = registryServer.adminPost("/api/v1/promotions", "{\"repository\":\"" + repo
                    + "\",\"from\":\"dev\",\"to\":\"qa\",\"digest\":\"" + promoted + "\"}");
            if (status != 201 && status != 200) {
                throw new IllegalStateException("promotion answered " + status);
            }
            devOnly = registryServer.pushImage("dev", repo, "2.0");
            namespace("shop-qa", "qa");
            namespace("shop-warn", "warn");
            namespace("shop-lenient", "lenient");
            namespace("shared", "shared");
            namespace("plain", null);
            namespace("kube-system", "qa");
            EnvironmentPolicy strict = new EnvironmentPolicy();
            strict.setExemptImages(List.of("registry.k8s.io/pause:*"));
            environment("qa", "qa", strict);
            EnvironmentPolicy warn = new EnvironmentPolicy();
            warn.setMode(PolicyMode.WARN);
            environment("qa-warn", "warn", warn);
            EnvironmentPolicy lenient = new EnvironmentPolicy();
            lenient.setRequireDigest(false);
            lenient.setVerifyPromoted(false);
            environment("qa-lenient", "lenient", lenient);
            environment("shared-a", "shared", null);
            environment("shared-b", "shared", null);
            // The webhook reads these from its informers: wait until it sees all of them.
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    !allowed(pod("shop-qa", HOST + "/dev/team/app@" + promoted))
                            && !allowed(pod("shared", HOST + "/qa/team/app@" + promoted))
                            && !warnings(pod("shop-warn", HOST + "/dev/team/app@" + promoted)).isEmpty()
                            && allowed(pod("shop-lenient", HOST + "/qa/team/app:1.0")));
            built = true;
        }
    }

    private void namespace(String name, String stage) {
        NamespaceBuilder ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        if (stage != null) {
            ns.editMetadata().addToLabels("gantry.dev/stage", stage).endMetadata();
        }
        client.resource(ns.build()).createOr(NonDeletingOperation::update);
    }

    private void environment(String name, String stage, EnvironmentPolicy policy) {
        EnvironmentSpec spec = new EnvironmentSpec();
        spec.setRegistry("qa");
        spec.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("gantry.dev/stage", stage).build());
        spec.setPolicy(policy);
        client.resource(new Environment(name, spec)).createOr(NonDeletingOperation::update);
    }

    /** An AdmissionReview for creating a pod with one container per image (named c0, c1, …). */
    protected static ObjectNode pod(String namespace, String... images) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", UUID.randomUUID().toString())
                .put("namespace", namespace).put("operation", "CREATE").put("name", "p");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        ObjectNode object = request.putObject("object").put("apiVersion", "v1").put("kind", "Pod");
        object.putObject("metadata").put("name", "p").put("namespace", namespace);
        var containers = object.putObject("spec").putArray("containers");
        for (int i = 0; i < images.length; i++) {
            containers.addObject().put("name", "c" + i).put("image", images[i]);
        }
        return review;
    }

    /** A fixture from src/test/resources/admission with its ${…} placeholders filled. */
    protected static String fixture(String name, Map<String, String> values) {
        try (InputStream in = WebhookTest.class.getResourceAsStream("/admission/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, String> e : values.entrySet()) {
                text = text.replace("${" + e.getKey() + "}", e.getValue());
            }
            if (text.contains("${")) {
                throw new IllegalArgumentException("unfilled placeholder in " + name + ": " + text.substring(
                        text.indexOf("${"), text.indexOf('}', text.indexOf("${")) + 1));
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static JsonNode response(JsonNode review) throws IOException {
        HttpResponse<String> answer = post(review.toString());
        if (answer.statusCode() != 200) {
            throw new IOException("the webhook answered " + answer.statusCode() + ": " + answer.body());
        }
        JsonNode body = JSON.readTree(answer.body());
        JsonNode response = body.path("response");
        if (!response.path("uid").asText().equals(review.path("request").path("uid").asText())) {
            throw new IOException("the response does not carry the request's uid: " + answer.body());
        }
        return response;
    }

    protected static boolean allowed(JsonNode review) throws IOException {
        return response(review).path("allowed").asBoolean();
    }

    protected static String message(JsonNode review) throws IOException {
        return response(review).path("status").path("message").asText();
    }

    protected static List<String> warnings(JsonNode review) throws IOException {
        List<String> warnings = new java.util.ArrayList<>();
        response(review).path("warnings").forEach(w -> warnings.add(w.asText()));
        return warnings;
    }

    /** POST /validate over HTTPS, trusting the CAs the test made, checking the name kube-apiserver would. */
    protected static HttpResponse<String> post(String body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort() + "/validate"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    protected static int httpsPort() {
        WebhookTestResource.dir();
        return Integer.parseInt(System.getProperty(WebhookTestResource.PORT));
    }

    private static final HttpClient CLIENT = client();

    /** Trusts both test CAs (the reload test swaps one for the other); hostname verification stays on. */
    private static HttpClient client() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var authority : List.of(WebhookTestResource.first(), WebhookTestResource.second())) {
                try (InputStream in = java.nio.file.Files.newInputStream(authority.caCert())) {
                    trust.setCertificateEntry(authority.dir().getFileName().toString(),
                            factory.generateCertificate(in));
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            return HttpClient.newBuilder().sslContext(context).sslParameters(parameters)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
