package dev.gantry.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.gantry.operator.EventReason;
import dev.gantry.operator.Events;
import dev.gantry.operator.OperatorSettings;
import dev.gantry.operator.environment.PullSecrets;
import dev.gantry.operator.webhook.Certificates.KeyedCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the admission webhook's TLS material current, so the webhook needs neither cert-manager nor a restart:
 * <ul>
 * <li>a CA of our own, in a Secret only the operator reads ({@code ca-secret-name}); near its end a successor is
 * made and both are trusted until the old one expires, so no API server call fails during the switch;</li>
 * <li>every webhook's {@code caBundle} in the ValidatingWebhookConfiguration equal to the trusted CA(s);</li>
 * <li>the {@code kubernetes.io/tls} Secret the webhook mounts, for the webhook Service's DNS names, renewed before
 * it ends. A certificate from a new CA is issued only once the caBundle already trusted that CA at the start of a
 * pass, so the webhook never serves a certificate the API server does not trust yet.</li>
 * </ul>
 * Material that is valid is reused, so a restart changes nothing; a Secret that is unreadable or does not fit is
 * replaced (a Warning Event says why). Events go to the object that changed. Runs on the leader only:
 * {@link dev.gantry.operator.GantryOperator} calls {@link #ensure()} when it is due.
 */
@ApplicationScoped
public class WebhookCertificates {
    private static final Logger LOG = Logger.getLogger(WebhookCertificates.class);
    public static final String TLS_TYPE = "kubernetes.io/tls";
    public static final String CERTIFICATE = "tls.crt";
    public static final String KEY = "tls.key";
    public static final String CA = "ca.crt";
    /** Set by cert-manager on the Secrets it issues: that Secret is not ours to rewrite. */
    static final String CERT_MANAGER_ANNOTATION = "cert-manager.io/certificate-name";
    private static final Duration MIN_WAIT = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final Events events;
    private final Optional<String> podNamespace;

    private boolean certManagerReported;

    /** Also how a test makes a second instance over other names, out of the running operator's way. */
    @Inject
    public WebhookCertificates(KubernetesClient client, OperatorSettings settings, Events events,
            @ConfigProperty(name = "POD_NAMESPACE") Optional<String> podNamespace) {
        this.client = client;
        this.settings = settings;
        this.events = events;
        this.podNamespace = podNamespace;
    }

    /** The CA that signs, and every CA that is trusted (the signing one first). */
    record Authority(KeyedCertificate current, List<X509Certificate> bundle) {
    }

    /** Why existing material cannot be used. */
    private static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    public String namespace() {
        return config().namespace().or(() -> podNamespace).orElse("gantry-system");
    }

    /** The names the API server may dial the webhook Service by. */
    public List<String> dnsNames() {
        String service = config().serviceName();
        String namespace = namespace();
        return List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local");
    }

    /** One pass over the CA, the caBundle and the serving certificate; returns how long until the next is due. */
    public synchronized Duration ensure() {
        Instant now = Instant.now();
        OperatorSettings.WebhookCertificates config = config();
        String namespace = namespace();
        Secret serving = client.secrets().inNamespace(namespace).withName(config.secretName()).get();
        if (serving != null && annotations(serving).containsKey(CERT_MANAGER_ANNOTATION)) {
            if (!certManagerReported) {
                LOG.warnf("Secret %s/%s is issued by cert-manager: leaving it and the caBundle alone (set "
                        + "GANTRY_OPERATOR_WEBHOOK_CERTIFICATES_ENABLED=false to silence this)", namespace,
                        config.secretName());
                certManagerReported = true;
            }
            return config.checkInterval();
        }
        certManagerReported = false;

        Authority authority = authority(client.secrets().inNamespace(namespace).withName(config.caSecretName())
                .get(), now);
        Instant due = earliest(now.plus(config.checkInterval()),
                renewalAt(authority.current().certificate(), config.caRenewBefore()));

        ValidatingWebhookConfiguration webhooks = client.admissionRegistration().v1()
                .validatingWebhookConfigurations().withName(config.webhookConfiguration()).get();
        boolean currentCaTrusted;
        if (webhooks == null) {
            // deploy/ creates it; nothing calls the webhook until then.
            LOG.debugf("no ValidatingWebhookConfiguration %s yet: its caBundle is set once it exists",
                    config.webhookConfiguration());
            currentCaTrusted = true;
            due = earliest(due, now.plus(settings.refusedRetry()));
        } else {
            currentCaTrusted = trusts(webhooks, authority.current().certificate());
            updateCaBundle(webhooks, authority.bundle());
        }

        KeyedCertificate leaf = serving(serving, authority, currentCaTrusted, now);
        due = earliest(due, renewalAt(leaf.certificate(), config.renewBefore()));
        Duration wait = Duration.between(now, due);
        return wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
    }

    private Authority authority(Secret existing, Instant now) {
        OperatorSettings.WebhookCertificates config = config();
        String name = config.caSecretName();
        String problem = null;
        if (existing != null) {
            try {
                KeyedCertificate current = readAuthority(existing, now);
                List<X509Certificate> bundle = new ArrayList<>(List.of(current.certificate()));
                for (X509Certificate other : certificates(existing, CA)) {
                    if (Certificates.isAuthority(other) && other.getNotAfter().toInstant().isAfter(now)
                            && !bundle.contains(other)) {
                        bundle.add(other); // a predecessor: trusted until it expires
                    }
                }
                if (now.isBefore(renewalAt(current.certificate(), config.caRenewBefore()))) {
                    write(existing, authorityData(current, bundle));
                    return new Authority(current, bundle);
                }
                KeyedCertificate successor = newAuthority(now);
                bundle.addFirst(successor.certificate());
                Secret written = write(existing, authorityData(successor, bundle));
                String message = "new webhook CA " + Certificates.commonNameOf(successor.certificate())
                        + "; the previous one, " + Certificates.commonNameOf(current.certificate()) + ", expires "
                        + current.certificate().getNotAfter().toInstant() + " and stays trusted until then";
                LOG.infof("Secret %s/%s: %s", written.getMetadata().getNamespace(), name, message);
                events.record(written, EventReason.WebhookCertificateRotated, message);
                return new Authority(successor, bundle);
            } catch (Unusable e) {
                problem = e.getMessage();
            }
        }
        KeyedCertificate fresh = newAuthority(now);
        Secret written = write(existing, authorityData(fresh, List.of(fresh.certificate())), name);
        String subject = "webhook CA " + Certificates.commonNameOf(fresh.certificate()) + ", valid until "
                + fresh.certificate().getNotAfter().toInstant();
        if (problem == null) {
            LOG.infof("Secret %s/%s: created %s", namespace(), name, subject);
            events.record(written, EventReason.WebhookCertificateIssued, "created " + subject);
        } else {
            LOG.warnf("Secret %s/%s replaced with a new %s: %s", namespace(), name, subject, problem);
            events.record(written, EventReason.WebhookCertificateReplaced, problem + "; replaced with a new " + subject);
        }
        return new Authority(fresh, List.of(fresh.certificate()));
    }

    private KeyedCertificate serving(Secret existing, Authority authority, boolean currentCaTrusted, Instant now) {
        OperatorSettings.WebhookCertificates config = config();
        KeyedCertificate current = null;
        X509Certificate issuer = null;
        String problem = null;
        if (existing != null) {
            try {
                current = readServing(existing, now);
                X509Certificate leaf = current.certificate();
                issuer = authority.bundle().stream().filter(ca -> Certificates.signedBy(leaf, ca)).findFirst()
                        .orElseThrow(() -> new Unusable("tls.crt is not signed by the webhook CA"));
            } catch (Unusable e) {
                problem = e.getMessage();
            }
        }
        EventReason reason;
        String why;
        if (existing == null) {
            reason = EventReason.WebhookCertificateIssued;
            why = null;
        } else if (problem != null) {
            reason = EventReason.WebhookCertificateReplaced;
            why = problem;
        } else if (!now.isBefore(renewalAt(current.certificate(), config.renewBefore()))) {
            reason = EventReason.WebhookCertificateRotated;
            why = "the certificate expires " + current.certificate().getNotAfter().toInstant();
        } else if (!issuer.equals(authority.current().certificate()) && currentCaTrusted) {
            reason = EventReason.WebhookCertificateRotated;
            why = "the certificate was signed by the previous CA";
        } else {
            // Still good (one from the previous CA waits until the caBundle trusts the new one): only the CA
            // bundle and the chain are brought up to date.
            write(existing, servingData(current, issuer, authority.bundle()));
            return current;
        }
        KeyedCertificate ca = authority.current();
        Instant notAfter = earliest(now.plus(config.validity()), ca.certificate().getNotAfter().toInstant());
        KeyedCertificate issued = Certificates.issueServing(ca, dnsNames().get(2), dnsNames(),
                now.minus(Certificates.BACKDATE), notAfter);
        Secret written = write(existing, servingData(issued, ca.certificate(), authority.bundle()),
                config.secretName());
        String message = "certificate for " + String.join(", ", dnsNames()) + " signed by "
                + Certificates.commonNameOf(ca.certificate()) + ", valid until " + notAfter
                + (why == null ? "" : "; " + (reason == EventReason.WebhookCertificateReplaced ? "replaced: " : "")
                        + why);
        if (reason == EventReason.WebhookCertificateReplaced) {
            LOG.warnf("Secret %s/%s: %s", namespace(), config.secretName(), message);
        } else {
            LOG.infof("Secret %s/%s: %s", namespace(), config.secretName(), message);
        }
        events.record(written, reason, message);
        return issued;
    }

    private KeyedCertificate readAuthority(Secret secret, Instant now) throws Unusable {
        KeyedCertificate ca = keyed(secret, now);
        if (!Certificates.isAuthority(ca.certificate())) {
            throw new Unusable("tls.crt is not a CA certificate");
        }
        return ca;
    }

    private KeyedCertificate readServing(Secret secret, Instant now) throws Unusable {
        KeyedCertificate leaf = keyed(secret, now);
        List<String> names = Certificates.dnsNames(leaf.certificate());
        if (!new HashSet<>(names).equals(new HashSet<>(dnsNames()))) {
            throw new Unusable("tls.crt is for " + names + ", not " + dnsNames());
        }
        return leaf;
    }

    /** The first certificate of tls.crt with the key of tls.key, in force now. */
    private static KeyedCertificate keyed(Secret secret, Instant now) throws Unusable {
        List<X509Certificate> chain = certificates(secret, CERTIFICATE);
        if (chain.isEmpty()) {
            throw new Unusable("no certificate in tls.crt");
        }
        X509Certificate certificate = chain.getFirst();
        PrivateKey key = Certificates.parsePrivateKey(text(secret, KEY))
                .orElseThrow(() -> new Unusable("tls.key holds no PEM private key"));
        if (!Certificates.keyMatches(certificate, key)) {
            throw new Unusable("tls.key is not the key of the certificate in tls.crt");
        }
        if (!now.isBefore(certificate.getNotAfter().toInstant())) {
            throw new Unusable("the certificate expired " + certificate.getNotAfter().toInstant());
        }
        if (now.isBefore(certificate.getNotBefore().toInstant())) {
            throw new Unusable("the certificate is valid only from " + certificate.getNotBefore().toInstant());
        }
        return new KeyedCertificate(certificate, key);
    }

    private static List<X509Certificate> certificates(Secret secret, String key) throws Unusable {
        try {
            return Certificates.parseCertificates(text(secret, key));
        } catch (CertificateException | RuntimeException e) {
            throw new Unusable(key + " is not PEM certificates");
        }
    }

    private static String text(Secret secret, String key) {
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether every webhook's caBundle holds the CA (one without a clientConfig is not ours to set). */
    private static boolean trusts(ValidatingWebhookConfiguration configuration, X509Certificate ca) {
        for (ValidatingWebhook webhook : webhooks(configuration)) {
            if (webhook.getClientConfig() == null) {
                continue;
            }
            String bundle = webhook.getClientConfig().getCaBundle();
            try {
                if (bundle == null || !Certificates.parseCertificates(new String(Base64.getDecoder().decode(bundle),
                        StandardCharsets.US_ASCII)).contains(ca)) {
                    return false;
                }
            } catch (CertificateException | IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets every differing caBundle with one JSON Patch, each guarded by a test of the webhook's name so a list
     * changed meanwhile fails the patch instead of writing the wrong entry (a merge patch would replace the whole
     * list, and the mock API server even appends to it).
     */
    private void updateCaBundle(ValidatingWebhookConfiguration configuration, List<X509Certificate> bundle) {
        String wanted = Base64.getEncoder().encodeToString(Certificates.pem(bundle)
                .getBytes(StandardCharsets.US_ASCII));
        ArrayNode patch = JSON.createArrayNode();
        List<String> updated = new ArrayList<>();
        List<ValidatingWebhook> list = webhooks(configuration);
        for (int i = 0; i < list.size(); i++) {
            ValidatingWebhook webhook = list.get(i);
            if (webhook.getClientConfig() == null || wanted.equals(webhook.getClientConfig().getCaBundle())) {
                continue;
            }
            patch.addObject().put("op", "test").put("path", "/webhooks/" + i + "/name").put("value", webhook.getName());
            // "add" sets a member whether or not it is there yet, where "replace" fails on an absent caBundle.
            patch.addObject().put("op", "add").put("path", "/webhooks/" + i + "/clientConfig/caBundle")
                    .put("value", wanted);
            updated.add(webhook.getName());
        }
        if (updated.isEmpty()) {
            return;
        }
        ValidatingWebhookConfiguration patched = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(configuration.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
        String message = "caBundle of " + String.join(", ", updated) + " set to "
                + bundle.stream().map(Certificates::commonNameOf).collect(Collectors.joining(", "));
        LOG.infof("ValidatingWebhookConfiguration %s: %s", configuration.getMetadata().getName(), message);
        events.record(patched, EventReason.WebhookCaBundleUpdated, message);
    }

    private static List<ValidatingWebhook> webhooks(ValidatingWebhookConfiguration configuration) {
        return configuration.getWebhooks() == null ? List.of() : configuration.getWebhooks();
    }

    private KeyedCertificate newAuthority(Instant now) {
        // A distinct name per CA, so two trusted side by side are told apart (in logs and by chain builders).
        return Certificates.newAuthority(config().serviceName() + "-ca@" + now.getEpochSecond(),
                now.minus(Certificates.BACKDATE), now.plus(config().caValidity()));
    }

    private static Map<String, String> authorityData(KeyedCertificate ca, List<X509Certificate> bundle) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CERTIFICATE, Certificates.pem(List.of(ca.certificate())));
        data.put(KEY, Certificates.pem(ca.key()));
        data.put(CA, Certificates.pem(bundle));
        return data;
    }

    private static Map<String, String> servingData(KeyedCertificate leaf, X509Certificate issuer,
            List<X509Certificate> bundle) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CERTIFICATE, Certificates.pem(List.of(leaf.certificate(), issuer)));
        data.put(KEY, Certificates.pem(leaf.key()));
        data.put(CA, Certificates.pem(bundle));
        return data;
    }

    private Secret write(Secret existing, Map<String, String> text) {
        return write(existing, text, existing.getMetadata().getName());
    }

    /** Creates or updates the Secret to hold exactly {@code text}; writes nothing when it already does. */
    private Secret write(Secret existing, Map<String, String> text, String name) {
        Map<String, String> data = new LinkedHashMap<>();
        text.forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value
                .getBytes(StandardCharsets.UTF_8))));
        var secrets = client.secrets().inNamespace(namespace());
        if (existing != null && TLS_TYPE.equals(existing.getType()) && data.equals(existing.getData())
                && PullSecrets.MANAGED_BY.equals(labels(existing).get(PullSecrets.MANAGED_BY_LABEL))) {
            return existing;
        }
        if (existing != null && TLS_TYPE.equals(existing.getType())) {
            // An update carrying the resourceVersion read: a concurrent writer makes it fail, and the next pass
            // starts from what that writer left.
            return secrets.resource(new SecretBuilder(existing).editMetadata()
                    .addToLabels(PullSecrets.MANAGED_BY_LABEL, PullSecrets.MANAGED_BY).endMetadata()
                    .withData(data).withStringData(null).build()).update();
        }
        if (existing != null) {
            // A Secret's type cannot change.
            LOG.infof("Secret %s/%s is of type %s: re-created as %s", namespace(), name, existing.getType(), TLS_TYPE);
            secrets.withName(name).delete();
        }
        return secrets.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace())
                .addToLabels(PullSecrets.MANAGED_BY_LABEL, PullSecrets.MANAGED_BY).endMetadata()
                .withType(TLS_TYPE).withData(data).build()).create();
    }

    /**
     * When a certificate is due for renewal: {@code renewBefore} ahead of its end, or a third of its life ahead when
     * that is unset or not shorter than its life (a certificate cut short by its CA's end is not renewed at once).
     */
    static Instant renewalAt(X509Certificate certificate, Optional<Duration> renewBefore) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration life = Duration.between(certificate.getNotBefore().toInstant(), notAfter);
        return notAfter.minus(renewBefore.filter(d -> d.compareTo(life) < 0).orElse(life.dividedBy(3)));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Map<String, String> annotations(Secret secret) {
        return secret.getMetadata().getAnnotations() == null ? Map.of() : secret.getMetadata().getAnnotations();
    }

    private static Map<String, String> labels(Secret secret) {
        return secret.getMetadata().getLabels() == null ? Map.of() : secret.getMetadata().getLabels();
    }

    private OperatorSettings.WebhookCertificates config() {
        return settings.webhookCertificates();
    }
}
