package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.gantry.operator.webhook.Certificates;
import dev.gantry.operator.webhook.Certificates.KeyedCertificate;
import dev.gantry.operator.webhook.WebhookCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The webhook's certificates as the running operator keeps them (its leader passes every 2 s in tests). The
 * ValidatingWebhookConfiguration and both Secrets have fixed names, so each test starts by waiting for a consistent
 * state and works from there rather than assuming an order.
 */
@QuarkusTest
class WebhookCertificatesTest extends OperatorTest {
    private static final String NAMESPACE = "gantry-system";
    private static final String SERVING = "gantry-webhook-tls";
    private static final String AUTHORITY = "gantry-webhook-ca";
    private static final String CONFIGURATION = "gantry-webhook";
    private static final List<String> NAMES = List.of("gantry-webhook", "gantry-webhook.gantry-system",
            "gantry-webhook.gantry-system.svc", "gantry-webhook.gantry-system.svc.cluster.local");

    @Inject
    WebhookCertificates certificates;
    @Inject
    OperatorSettings settings;
    @Inject
    Events events;

    /** What the webhook would mount, and what the API server would trust, at one moment. */
    record Material(Secret secret, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted,
            Map<String, List<X509Certificate>> caBundles) {
        X509Certificate leaf() {
            return chain.getFirst();
        }
    }

    @Test
    void issuesACertificateForTheServiceAndSetsEveryCaBundle() throws Exception {
        Resource<ValidatingWebhookConfiguration> configuration = configuration();
        configuration.delete();
        eventually().until(() -> configuration.get() == null);
        configuration.create(new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                .withName(CONFIGURATION).endMetadata()
                .withWebhooks(webhook("pods.gantry.dev"), webhook("promotions.gantry.dev")).build());

        Material m = awaitConsistent();
        assertThat(m.caBundles()).containsOnlyKeys("pods.gantry.dev", "promotions.gantry.dev");
        assertThat(m.secret().getType()).isEqualTo("kubernetes.io/tls");
        assertThat(m.secret().getData()).as("the CA key stays out of the webhook's Secret")
                .containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(text(m.secret(), "tls.key")).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(m.chain()).hasSize(2);
        assertThat(m.chain().get(1)).isEqualTo(m.trusted().getFirst());

        X509Certificate leaf = m.leaf();
        assertThat(Certificates.dnsNames(leaf)).containsExactlyInAnyOrderElementsOf(NAMES);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isBetween(Duration.ofDays(90), Duration.ofDays(90).plusHours(1));
        X509Certificate ca = m.trusted().getFirst();
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3600)));

        // The JDK's own checks: the signature, the path to ca.crt, and that the key is the certificate's.
        leaf.verify(ca.getPublicKey());
        validatePath(leaf, m.trusted());
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(m.key());
        signer.update("challenge".getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.getPublicKey());
        verifier.update("challenge".getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(signature)).isTrue();

        Secret authority = client.secrets().inNamespace(NAMESPACE).withName(AUTHORITY).get();
        assertThat(Certificates.parseCertificates(text(authority, "tls.crt"))).containsExactly(ca);
        assertThat(eventReasons(configuration.get())).contains(EventReason.WebhookCaBundleUpdated.name());
    }

    @Test
    void anotherPassAsAfterARestartChangesNothing() {
        Material before = awaitConsistent();
        Secret authority = client.secrets().inNamespace(NAMESPACE).withName(AUTHORITY).get();
        String configurationVersion = configuration().get().getMetadata().getResourceVersion();

        certificates.ensure();

        Secret serving = client.secrets().inNamespace(NAMESPACE).withName(SERVING).get();
        assertThat(serving.getData()).isEqualTo(before.secret().getData());
        assertThat(serving.getMetadata().getResourceVersion()).isEqualTo(before.secret().getMetadata()
                .getResourceVersion());
        Secret authorityAfter = client.secrets().inNamespace(NAMESPACE).withName(AUTHORITY).get();
        assertThat(authorityAfter.getData()).isEqualTo(authority.getData());
        assertThat(authorityAfter.getMetadata().getResourceVersion()).isEqualTo(authority.getMetadata()
                .getResourceVersion());
        assertThat(configuration().get().getMetadata().getResourceVersion()).isEqualTo(configurationVersion);
    }

    @Test
    void aCertificateNearItsEndIsRenewedByTheSameCa() throws Exception {
        Material before = awaitConsistent();
        KeyedCertificate ca = authority();
        Instant now = Instant.now();
        KeyedCertificate ending = Certificates.issueServing(ca, NAMES.get(2), NAMES,
                now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(10)));
        writeServing(ending, ca.certificate(), before.trusted());

        Material after = eventually().until(this::consistent,
                m -> m != null && !m.leaf().equals(ending.certificate()));
        assertThat(after.leaf().getNotAfter().toInstant()).isAfter(now.plus(Duration.ofDays(89)));
        assertThat(after.trusted()).isEqualTo(before.trusted());
        assertThat(after.leaf().getSerialNumber()).isNotEqualTo(before.leaf().getSerialNumber());
        after.leaf().verify(ca.certificate().getPublicKey());
        assertThat(authority().certificate()).as("the same CA").isEqualTo(ca.certificate());
        assertThat(eventReasons(after.secret())).contains(EventReason.WebhookCertificateRotated.name());
    }

    @Test
    void aSecretThatIsUnreadableOrDoesNotFitIsReplaced() throws Exception {
        Material before = awaitConsistent();
        KeyedCertificate ca = authority();
        Instant now = Instant.now();
        KeyedCertificate wrongNames = Certificates.issueServing(ca, "other.example", List.of("other.example"),
                now, now.plus(Duration.ofDays(30)));
        KeyedCertificate otherKey = Certificates.issueServing(ca, NAMES.get(2), NAMES, now,
                now.plus(Duration.ofDays(30)));
        KeyedCertificate foreignCa = Certificates.newAuthority("someone-else", now, now.plus(Duration.ofDays(30)));
        KeyedCertificate foreign = Certificates.issueServing(foreignCa, NAMES.get(2), NAMES, now,
                now.plus(Duration.ofDays(30)));
        Map<String, Map<String, String>> broken = Map.of(
                "not PEM", Map.of("tls.crt", "garbage", "tls.key", "garbage", "ca.crt", "garbage"),
                "wrong names", pem(wrongNames, ca.certificate(), before.trusted()),
                "a key that is not the certificate's", Map.of(
                        "tls.crt", Certificates.pem(List.of(before.leaf(), ca.certificate())),
                        "tls.key", Certificates.pem(otherKey.key()),
                        "ca.crt", Certificates.pem(before.trusted())),
                "signed by another CA", pem(foreign, foreignCa.certificate(), List.of(foreignCa.certificate())));

        X509Certificate previous = before.leaf();
        for (var corruption : broken.entrySet()) {
            int replaced = countReasons(before.secret(), EventReason.WebhookCertificateReplaced);
            writeSecret(SERVING, corruption.getValue());
            X509Certificate replacedLeaf = previous;
            Material after = eventually().until(this::consistent, m -> m != null
                    && !m.leaf().equals(replacedLeaf) && !m.leaf().equals(wrongNames.certificate())
                    && !m.leaf().equals(foreign.certificate()));
            assertThat(after.trusted()).as(corruption.getKey()).isEqualTo(before.trusted());
            eventually().until(() -> countReasons(before.secret(), EventReason.WebhookCertificateReplaced)
                    > replaced);
            previous = after.leaf();
        }
    }

    @Test
    void aCorruptedCaIsReplacedAndTheCertificateFollows() {
        Material before = awaitConsistent();
        writeSecret(AUTHORITY, Map.of("tls.crt", Certificates.pem(List.of(before.trusted().getFirst())),
                "tls.key", Certificates.pem(Certificates.newKeyPair().getPrivate()),
                "ca.crt", Certificates.pem(before.trusted())));

        Material after = eventually().until(this::consistent,
                m -> m != null && !m.trusted().contains(before.trusted().getFirst()));
        assertThat(after.trusted()).hasSize(1);
        assertThat(authority().certificate()).isEqualTo(after.trusted().getFirst());
        assertThat(Certificates.signedBy(after.leaf(), after.trusted().getFirst())).isTrue();
    }

    @Test
    void aCaBundleSomeoneChangedIsPutBack() throws Exception {
        Material before = awaitConsistent();
        KeyedCertificate stranger = Certificates.newAuthority("stranger", Instant.now(),
                Instant.now().plus(Duration.ofDays(1)));
        String strangers = Base64.getEncoder().encodeToString(Certificates.pem(List.of(stranger.certificate()))
                .getBytes(StandardCharsets.US_ASCII));
        // JSON Patch, since the mock API server's merge patch appends to lists instead of replacing them.
        configuration().patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/webhooks/1/clientConfig/caBundle\",\"value\":\"" + strangers
                        + "\"}]");
        assertThat(caBundles(configuration().get()).values()).contains(List.of(stranger.certificate()));

        Material after = awaitConsistent();
        assertThat(after.caBundles().values()).containsOnly(before.trusted());
        assertThat(after.leaf()).isEqualTo(before.leaf());
    }

    /**
     * A CA near its end: a successor is made and trusted beside it, and the certificate moves to the successor only
     * once the caBundle trusts it. Sampled all along, the certificate in the Secret always chains to every webhook's
     * caBundle, which is what keeps API server calls succeeding.
     */
    @Test
    void aCaNearItsEndIsSucceededWithoutAMomentTheCertificateIsUntrusted() throws Exception {
        awaitConsistent();
        Instant now = Instant.now();
        KeyedCertificate old = Certificates.newAuthority("old-ca", now.minus(Duration.ofDays(3000)),
                now.plus(Duration.ofDays(100)));
        KeyedCertificate leaf = Certificates.issueServing(old, NAMES.get(2), NAMES, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(60)));
        writeSecret(AUTHORITY, Map.of("tls.crt", Certificates.pem(List.of(old.certificate())),
                "tls.key", Certificates.pem(old.key()), "ca.crt", Certificates.pem(List.of(old.certificate()))));
        writeServing(leaf, old.certificate(), List.of(old.certificate()));
        String oldBundle = Base64.getEncoder().encodeToString(Certificates.pem(List.of(old.certificate()))
                .getBytes(StandardCharsets.US_ASCII));
        eventually().until(() -> {
            configuration().patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/webhooks/0/"
                    + "clientConfig/caBundle\",\"value\":\"" + oldBundle + "\"},{\"op\":\"replace\",\"path\":"
                    + "\"/webhooks/1/clientConfig/caBundle\",\"value\":\"" + oldBundle + "\"}]");
            return true;
        });

        List<String> untrusted = new ArrayList<>();
        Material done = eventually().until(() -> {
            // The Secret first, then the configuration: a certificate seen is then checked against a caBundle at
            // least as new as the one it was written after.
            Secret secret = client.secrets().inNamespace(NAMESPACE).withName(SERVING).get();
            Map<String, List<X509Certificate>> bundles = caBundles(configuration().get());
            X509Certificate served = Certificates.parseCertificates(text(secret, "tls.crt")).getFirst();
            bundles.forEach((webhook, bundle) -> {
                if (bundle.stream().noneMatch(ca -> Certificates.signedBy(served, ca))) {
                    untrusted.add(webhook + " at " + secret.getMetadata().getResourceVersion());
                }
            });
            return consistent();
        }, m -> m != null && !m.leaf().getIssuerX500Principal().equals(old.certificate().getSubjectX500Principal()));

        assertThat(untrusted).as("moments the served certificate was not trusted").isEmpty();
        X509Certificate successor = authority().certificate();
        assertThat(successor).isNotEqualTo(old.certificate());
        assertThat(done.trusted()).containsExactly(successor, old.certificate());
        assertThat(done.caBundles().values()).containsOnly(List.of(successor, old.certificate()));
        assertThat(Certificates.signedBy(done.leaf(), successor)).isTrue();
        assertThat(eventReasons(client.secrets().inNamespace(NAMESPACE).withName(AUTHORITY).get()))
                .contains(EventReason.WebhookCertificateRotated.name());
    }

    @Test
    void withoutTheConfigurationTheSecretIsStillKeptAndTheCaBundleSetOnceItExists() throws Exception {
        Material before = awaitConsistent();
        configuration().delete();
        eventually().until(() -> configuration().get() == null);
        writeSecret(SERVING, Map.of("tls.crt", "garbage", "tls.key", "garbage", "ca.crt", "garbage"));

        Secret repaired = eventually().until(() -> client.secrets().inNamespace(NAMESPACE).withName(SERVING).get(),
                s -> !text(s, "tls.crt").equals("garbage"));
        X509Certificate leaf = Certificates.parseCertificates(text(repaired, "tls.crt")).getFirst();
        validatePath(leaf, Certificates.parseCertificates(text(repaired, "ca.crt")));

        ensureConfiguration();
        Material after = awaitConsistent();
        assertThat(after.leaf()).isEqualTo(leaf);
        assertThat(after.trusted()).isEqualTo(before.trusted());
    }

    @Test
    void aSecretOfAnotherTypeIsRecreatedAsTlsKeepingItsCertificate() {
        Material before = awaitConsistent();
        Secret opaque = new SecretBuilder().withNewMetadata().withName(SERVING).withNamespace(NAMESPACE).endMetadata()
                .withType("Opaque").withData(before.secret().getData()).build();
        eventually().until(() -> {
            client.secrets().inNamespace(NAMESPACE).withName(SERVING).delete();
            client.secrets().inNamespace(NAMESPACE).resource(opaque).create();
            return true;
        });

        Secret tls = eventually().until(() -> client.secrets().inNamespace(NAMESPACE).withName(SERVING).get(),
                s -> s != null && "kubernetes.io/tls".equals(s.getType()));
        assertThat(tls.getData()).isEqualTo(before.secret().getData());
    }

    /** A Secret cert-manager issued is cert-manager's: the operator neither rewrites it nor touches the caBundle. */
    @Test
    void aSecretIssuedByCertManagerIsLeftAlone() {
        awaitConsistent();
        Map<String, String> foreign = Map.of("tls.crt", "cert-manager's", "tls.key", "cert-manager's");
        writeSecret(SERVING, foreign, Map.of("cert-manager.io/certificate-name", "gantry-webhook"));
        String configurationVersion = configuration().get().getMetadata().getResourceVersion();

        certificates.ensure();

        Secret kept = client.secrets().inNamespace(NAMESPACE).withName(SERVING).get();
        assertThat(text(kept, "tls.crt")).isEqualTo("cert-manager's");
        assertThat(configuration().get().getMetadata().getResourceVersion()).isEqualTo(configurationVersion);

        eventually().until(() -> {
            Secret current = client.secrets().inNamespace(NAMESPACE).withName(SERVING).get();
            current.getMetadata().getAnnotations().remove("cert-manager.io/certificate-name");
            client.secrets().inNamespace(NAMESPACE).resource(current).update();
            return true;
        });
        awaitConsistent();
    }

    /**
     * The same switch pass by pass, on a second instance over names of its own (so the running operator's passes do
     * not interleave): the pass that makes the successor only adds it to the caBundle; the certificate moves on the
     * next pass, which starts with the caBundle trusting it.
     */
    @Test
    void theCertificateMovesToANewCaOnlyOnAPassAfterTheCaBundleTrustsIt() throws Exception {
        String namespace = unique("webhook-ns");
        String configurationName = unique("webhook");
        WebhookCertificates isolated = new WebhookCertificates(client, isolatedSettings(namespace, configurationName),
                events, Optional.empty());
        var secrets = client.secrets().inNamespace(namespace);
        var configuration = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(configurationName);
        configuration.create(new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                .withName(configurationName).endMetadata()
                .withWebhooks(webhook("pods.gantry.dev"), webhook("promotions.gantry.dev")).build());
        List<String> names = isolated.dnsNames();
        assertThat(names).containsExactly("gantry-webhook", "gantry-webhook." + namespace,
                "gantry-webhook." + namespace + ".svc", "gantry-webhook." + namespace + ".svc.cluster.local");

        Instant now = Instant.now();
        KeyedCertificate old = Certificates.newAuthority("old-ca", now.minus(Duration.ofDays(3000)),
                now.plus(Duration.ofDays(100)));
        KeyedCertificate leaf = Certificates.issueServing(old, names.get(2), names, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(60)));
        secrets.resource(tlsSecret(namespace, "ca", Map.of("tls.crt", Certificates.pem(List.of(old.certificate())),
                "tls.key", Certificates.pem(old.key()), "ca.crt", Certificates.pem(List.of(old.certificate())))))
                .create();
        secrets.resource(tlsSecret(namespace, "tls", pem(leaf, old.certificate(), List.of(old.certificate()))))
                .create();
        String oldBundle = Base64.getEncoder().encodeToString(Certificates.pem(List.of(old.certificate()))
                .getBytes(StandardCharsets.US_ASCII));
        configuration.patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/webhooks/0/"
                + "clientConfig/caBundle\",\"value\":\"" + oldBundle + "\"},{\"op\":\"replace\",\"path\":"
                + "\"/webhooks/1/clientConfig/caBundle\",\"value\":\"" + oldBundle + "\"}]");

        isolated.ensure();
        X509Certificate successor = Certificates.parseCertificates(text(secrets.withName("ca").get(), "tls.crt"))
                .getFirst();
        assertThat(successor).isNotEqualTo(old.certificate());
        assertThat(caBundles(configuration.get()).values()).containsOnly(List.of(successor, old.certificate()));
        Secret serving = secrets.withName("tls").get();
        assertThat(Certificates.parseCertificates(text(serving, "tls.crt")).getFirst()).as("still the old one")
                .isEqualTo(leaf.certificate());
        assertThat(Certificates.parseCertificates(text(serving, "ca.crt")))
                .containsExactly(successor, old.certificate());

        isolated.ensure();
        serving = secrets.withName("tls").get();
        List<X509Certificate> chain = Certificates.parseCertificates(text(serving, "tls.crt"));
        assertThat(chain).containsExactly(chain.getFirst(), successor);
        assertThat(Certificates.signedBy(chain.getFirst(), successor)).isTrue();
        assertThat(Certificates.dnsNames(chain.getFirst())).containsExactlyInAnyOrderElementsOf(names);

        String servingVersion = serving.getMetadata().getResourceVersion();
        String caVersion = secrets.withName("ca").get().getMetadata().getResourceVersion();
        String configurationVersion = configuration.get().getMetadata().getResourceVersion();
        isolated.ensure();
        assertThat(secrets.withName("tls").get().getMetadata().getResourceVersion()).isEqualTo(servingVersion);
        assertThat(secrets.withName("ca").get().getMetadata().getResourceVersion()).isEqualTo(caVersion);
        assertThat(configuration.get().getMetadata().getResourceVersion()).isEqualTo(configurationVersion);
        configuration.delete();
    }

    /** The running operator's settings with the certificates' names and namespace of a test's own. */
    private OperatorSettings isolatedSettings(String namespace, String configurationName) {
        OperatorSettings.WebhookCertificates real = settings.webhookCertificates();
        OperatorSettings.WebhookCertificates own = delegate(OperatorSettings.WebhookCertificates.class, real,
                Map.of("namespace", Optional.of(namespace), "secretName", "tls", "caSecretName", "ca",
                        "webhookConfiguration", configurationName));
        return delegate(OperatorSettings.class, settings, Map.of("webhookCertificates", own));
    }

    @SuppressWarnings("unchecked")
    private static <T> T delegate(Class<T> type, T real, Map<String, Object> overrides) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
                overrides.containsKey(method.getName()) ? overrides.get(method.getName()) : method.invoke(real, args));
    }

    private static Secret tlsSecret(String namespace, String name, Map<String, String> text) {
        Map<String, String> data = new HashMap<>();
        text.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withType("kubernetes.io/tls").withData(data).build();
    }

    /** A real TLS handshake: a server with the Secret's key and chain, a client trusting only ca.crt. */
    @Test
    void aClientTrustingOnlyCaCrtConnectsByTheServiceName() throws Exception {
        Material m = awaitConsistent();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("webhook", m.key(), new char[0], m.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, new char[0]);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);

        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        for (X509Certificate ca : Certificates.parseCertificates(text(m.secret(), "ca.crt"))) {
            trustStore.setCertificateEntry(Certificates.commonNameOf(ca), ca);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trustStore);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", exchange -> {
            byte[] body = "admitted".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            for (String name : NAMES) {
                assertThat(get(clientContext, port, name)).as(name).startsWith("HTTP/1.1 200").endsWith("admitted");
            }
            assertThatThrownBy(() -> get(clientContext, port, "gantry-webhook.elsewhere.svc"))
                    .as("another name").isInstanceOf(SSLHandshakeException.class);
        } finally {
            server.stop(0);
        }
    }

    /** An HTTPS GET to 127.0.0.1 as if to {@code host}: SNI and hostname verification use that name. */
    private static String get(SSLContext context, int port, String host) throws Exception {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Material awaitConsistent() {
        ensureConfiguration();
        return eventually().until(this::consistent, m -> m != null);
    }

    /** The current state if the certificate is usable and every caBundle equals ca.crt; null otherwise. */
    private Material consistent() throws Exception {
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(SERVING).get();
        ValidatingWebhookConfiguration configuration = configuration().get();
        if (secret == null || configuration == null) {
            return null;
        }
        List<X509Certificate> chain = new ArrayList<>(Certificates.parseCertificates(text(secret, "tls.crt")));
        PrivateKey key = Certificates.parsePrivateKey(text(secret, "tls.key")).orElse(null);
        List<X509Certificate> trusted = Certificates.parseCertificates(text(secret, "ca.crt"));
        Map<String, List<X509Certificate>> bundles = caBundles(configuration);
        if (chain.isEmpty() || key == null || trusted.isEmpty() || !Certificates.keyMatches(chain.getFirst(), key)
                || !Set.copyOf(Certificates.dnsNames(chain.getFirst())).equals(Set.copyOf(NAMES))
                || bundles.isEmpty() || !bundles.values().stream().allMatch(trusted::equals)) {
            return null;
        }
        validatePath(chain.getFirst(), trusted);
        return new Material(secret, chain, key, trusted, bundles);
    }

    /** PKIX path validation by the JDK from the leaf to one of {@code trusted}. */
    private static void validatePath(X509Certificate leaf, List<X509Certificate> trusted) throws Exception {
        PKIXParameters parameters = new PKIXParameters(trusted.stream().map(ca -> new TrustAnchor(ca, null))
                .collect(Collectors.toSet()));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(leaf)), parameters);
    }

    private static Map<String, List<X509Certificate>> caBundles(ValidatingWebhookConfiguration configuration)
            throws Exception {
        Map<String, List<X509Certificate>> bundles = new HashMap<>();
        for (ValidatingWebhook webhook : configuration.getWebhooks()) {
            String bundle = webhook.getClientConfig().getCaBundle();
            bundles.put(webhook.getName(), bundle == null ? List.of() : Certificates.parseCertificates(
                    new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII)));
        }
        return bundles;
    }

    private KeyedCertificate authority() {
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(AUTHORITY).get();
        try {
            return new KeyedCertificate(Certificates.parseCertificates(text(secret, "tls.crt")).getFirst(),
                    Certificates.parsePrivateKey(text(secret, "tls.key")).orElseThrow());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeServing(KeyedCertificate leaf, X509Certificate issuer, List<X509Certificate> trusted) {
        writeSecret(SERVING, pem(leaf, issuer, trusted));
    }

    private static Map<String, String> pem(KeyedCertificate leaf, X509Certificate issuer,
            List<X509Certificate> trusted) {
        return Map.of("tls.crt", Certificates.pem(List.of(leaf.certificate(), issuer)),
                "tls.key", Certificates.pem(leaf.key()), "ca.crt", Certificates.pem(trusted));
    }

    private void writeSecret(String name, Map<String, String> text) {
        writeSecret(name, text, Map.of());
    }

    /** Replaces the Secret's data, retrying when the operator wrote it meanwhile (409). */
    private void writeSecret(String name, Map<String, String> text, Map<String, String> annotations) {
        Map<String, String> data = new HashMap<>();
        text.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        eventually().until(() -> {
            Secret current = client.secrets().inNamespace(NAMESPACE).withName(name).get();
            client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder(current).withData(data)
                    .editMetadata().addToAnnotations(annotations).endMetadata().build()).update();
            return true;
        });
    }

    private int countReasons(Secret secret, EventReason reason) {
        return (int) eventReasons(secret).stream().filter(reason.name()::equals).count();
    }

    private void ensureConfiguration() {
        if (configuration().get() == null) {
            configuration().create(new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                    .withName(CONFIGURATION).endMetadata()
                    .withWebhooks(webhook("pods.gantry.dev"), webhook("promotions.gantry.dev")).build());
        }
    }

    private Resource<ValidatingWebhookConfiguration> configuration() {
        return client.admissionRegistration().v1().validatingWebhookConfigurations().withName(CONFIGURATION);
    }

    private static ValidatingWebhook webhook(String name) {
        return new ValidatingWebhookBuilder().withName(name).withAdmissionReviewVersions("v1")
                .withSideEffects("None").withFailurePolicy("Fail")
                .withNewClientConfig().withCaBundle("").withNewService().withName("gantry-webhook")
                .withNamespace(NAMESPACE).withPath("/validate").withPort(443).endService().endClientConfig()
                .build();
    }

    private static String text(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
