package dev.gantry.operator.webhook;

import dev.gantry.operator.OperatorSettings;
import dev.gantry.operator.client.RegistryClient;
import dev.gantry.operator.client.RegistryException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The webhook's own credential on the registry server, for {@code verifyPromoted}: a robot that may only pull, from
 * every registry, minted and rotated by the operator and written as a Secret ({@code username}, {@code password})
 * the webhook mounts. The webhook re-reads the file on every question, and the registry keeps a rotated-out secret
 * valid for its overlap, so rotation never fails an admission.
 */
@ApplicationScoped
public class WebhookRegistryCredential {
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "gantry-operator";
    static final String ROTATED_AT = "gantry.dev/rotated-at";
    private static final Logger LOG = Logger.getLogger(WebhookRegistryCredential.class);

    @Inject
    KubernetesClient client;
    @Inject
    RegistryClient registryServer;
    @Inject
    OperatorSettings settings;
    @Inject
    WebhookCertificates certificates;

    /** One pass: the Secret exists, belongs to the operator and holds a credential younger than the rotation period. */
    public void ensure() {
        OperatorSettings.WebhookCredential config = settings.webhookCredential();
        String namespace = certificates.namespace();
        Secret current = client.secrets().inNamespace(namespace).withName(config.secretName()).get();
        if (current != null && !MANAGED_BY.equals(label(current))) {
            LOG.warnf("Secret %s/%s exists and is not managed by the operator; the webhook's registry credential is "
                    + "left to whoever made it", namespace, config.secretName());
            return;
        }
        Instant now = Instant.now();
        if (current == null) {
            RegistryClient.Credential credential = mint(config.robot());
            client.resource(secret(namespace, config, credential, now)).create();
            LOG.infof("webhook registry credential %s written to %s/%s", config.robot(), namespace,
                    config.secretName());
            return;
        }
        Instant rotatedAt = rotatedAt(current);
        if (rotatedAt != null && rotatedAt.plus(settings.credentials().rotationPeriod()).isAfter(now)) {
            return;
        }
        RegistryClient.Credential credential;
        try {
            credential = registryServer.rotate(config.robot());
        } catch (RegistryException e) {
            if (!"CREDENTIAL_UNKNOWN".equals(e.code())) {
                throw e;
            }
            credential = mint(config.robot());
        }
        Secret next = secret(namespace, config, credential, now);
        next.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        client.resource(next).update();
        LOG.infof("webhook registry credential %s rotated", config.robot());
    }

    private RegistryClient.Credential mint(String robot) {
        try {
            return registryServer.mintPullCredential(robot, "*");
        } catch (RegistryException e) {
            if (!"CREDENTIAL_EXISTS".equals(e.code())) {
                throw e;
            }
            registryServer.revoke(robot); // its secret is lost with its Secret
            return registryServer.mintPullCredential(robot, "*");
        }
    }

    private static Secret secret(String namespace, OperatorSettings.WebhookCredential config,
            RegistryClient.Credential credential, Instant rotatedAt) {
        return new SecretBuilder().withNewMetadata().withName(config.secretName()).withNamespace(namespace)
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY).addToAnnotations(ROTATED_AT, rotatedAt.toString())
                .endMetadata().withType("Opaque")
                .withData(Map.of("username", base64(credential.name()), "password", base64(credential.secret())))
                .build();
    }

    private static String label(Secret secret) {
        return secret.getMetadata().getLabels() == null ? null : secret.getMetadata().getLabels().get(MANAGED_BY_LABEL);
    }

    private static Instant rotatedAt(Secret secret) {
        try {
            String at = secret.getMetadata().getAnnotations() == null ? null
                    : secret.getMetadata().getAnnotations().get(ROTATED_AT);
            return at == null ? null : Instant.parse(at);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
