package dev.gantry.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The operator's settings ({@code GANTRY_OPERATOR_*} in the environment). */
@ConfigMapping(prefix = "gantry.operator")
public interface OperatorSettings {
    /** Run the reconcilers; false starts only the HTTP endpoints (health, metrics). */
    @WithDefault("true")
    boolean enabled();

    RegistryServer registry();

    LeaderElection leaderElection();

    Credentials credentials();

    Retry retry();

    WebhookCertificates webhookCertificates();

    /** How often a Registry's counts are refreshed and its definition re-asserted on the server. */
    @WithDefault("60s")
    Duration registryResync();

    /**
     * Delete empty registries on the server that no Registry resource declares, checked every registry-resync.
     * Registries with content are never deleted this way.
     */
    @WithDefault("true")
    boolean pruneRegistries();

    /** How often an Environment is re-checked even without events (rotation deadlines also wake it). */
    @WithDefault("5m")
    Duration environmentResync();

    /** How long to wait before re-trying a refusal that another resource may resolve (a member not yet created). */
    @WithDefault("30s")
    Duration refusedRetry();

    /** How long a stopping operator lets running reconciliations finish. */
    @WithDefault("20s")
    Duration shutdownTimeout();

    interface RegistryServer {
        /** Base URL of the registry server's management and registry APIs, e.g. https://gantry-registry:5443. */
        String url();

        /** The operator's own credential on the registry server: it needs admin on the registries it manages. */
        @WithDefault("admin")
        String username();

        Optional<String> password();

        /** A file holding the password (a mounted Secret); read at each call, so a rotated Secret is picked up. */
        Optional<Path> passwordFile();

        /** PEM CA certificate(s) to trust for an HTTPS {@code url}; the JDK's trust store when absent. */
        Optional<Path> caFile();

        /**
         * Host names (host[:port]) image references use for this registry server; the first is shown in Registry
         * status urls, every one is written into pull Secrets. Default: the host of {@code url}.
         */
        Optional<List<String>> hosts();

        @WithDefault("10s")
        Duration timeout();
    }

    interface LeaderElection {
        /** Two replicas are safe: only the holder of the Lease reconciles. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("gantry-operator")
        String leaseName();

        /** Namespace of the Lease; default the namespace the operator runs in ({@code POD_NAMESPACE}). */
        Optional<String> leaseNamespace();
    }

    interface Credentials {
        /** How often each namespace's pull credential is replaced. The registry keeps the old one valid for its overlap. */
        @WithDefault("24h")
        Duration rotationPeriod();
    }

    interface Retry {
        /** First wait after a transient failure (registry unreachable, 5xx, timeout); doubles up to max-interval. */
        @WithDefault("1s")
        Duration initialInterval();

        @WithDefault("60s")
        Duration maxInterval();
    }

    WebhookCredential webhookCredential();

    interface WebhookCredential {
        /** Mint and rotate the webhook's pull-only registry credential (for verifyPromoted). */
        @WithDefault("true")
        boolean enabled();

        /** The Secret (keys username, password) in the operator's namespace that the webhook mounts. */
        @WithDefault("gantry-webhook-registry")
        String secretName();

        /** The robot account's name on the registry server. */
        @WithDefault("gantry-webhook")
        String robot();
    }

    interface WebhookCertificates {
        /** Issue and rotate the webhook's serving certificate; false when something else (cert-manager) does. */
        @WithDefault("true")
        boolean enabled();

        /** Namespace of the Secrets; default the namespace the operator runs in ({@code POD_NAMESPACE}). */
        Optional<String> namespace();

        /** The {@code kubernetes.io/tls} Secret the webhook mounts: tls.crt (certificate, then CA), tls.key, ca.crt. */
        @WithDefault("gantry-webhook-tls")
        String secretName();

        /** The CA's certificate and key; only the operator reads it, so the webhook never holds the CA key. */
        @WithDefault("gantry-webhook-ca")
        String caSecretName();

        /** The webhook's Service: the certificate names it, its namespace and the cluster-local forms. */
        @WithDefault("gantry-webhook")
        String serviceName();

        /** The ValidatingWebhookConfiguration whose webhooks' caBundle is kept equal to the trusted CA(s). */
        @WithDefault("gantry-webhook")
        String webhookConfiguration();

        @WithDefault("90d")
        Duration validity();

        /** Renew when less than this is left; default a third of the certificate's life. */
        Optional<Duration> renewBefore();

        @WithDefault("3650d")
        Duration caValidity();

        /** Make a new CA when less than this is left of the current one; default a third of its life. */
        Optional<Duration> caRenewBefore();

        /** How often the Secrets and the caBundle are checked (sooner when a certificate is due earlier). */
        @WithDefault("1h")
        Duration checkInterval();
    }
}
