package dev.gantry.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The webhook's settings ({@code GANTRY_WEBHOOK_*} in the environment). */
@ConfigMapping(prefix = "gantry.webhook")
public interface WebhookSettings {
    RegistryServer registry();

    /** Namespaces never checked (the cluster's own and Gantry's). */
    @WithDefault("kube-system,kube-public,kube-node-lease,gantry-system")
    Set<String> systemNamespaces();

    Promoted promoted();

    interface RegistryServer {
        /**
         * The host[:port] names image references use for the registry server (aliases included, e.g. its NodePort
         * address). An image from any other host does not come from an environment's registry.
         */
        List<String> hosts();

        /** Base URL the webhook asks, for verifyPromoted, e.g. https://gantry-registry.gantry-system.svc:5443. */
        Optional<String> url();

        /** The webhook's credential: it needs pull on every registry an Environment names. */
        @WithDefault("webhook")
        String username();

        Optional<String> password();

        Optional<Path> passwordFile();

        /** PEM CA certificate(s) to trust for an HTTPS url. */
        Optional<Path> caFile();

        /** How long one question to the registry may take; kube-apiserver gives the whole review 5 s. */
        @WithDefault("1500ms")
        Duration timeout();
    }

    interface Promoted {
        /** Digests known to be in a registry (digests are immutable, so they are kept until evicted by size). */
        @WithDefault("100000")
        long cacheSize();

        /** How long "not in the registry" is believed: a promotion may land any moment. */
        @WithDefault("5s")
        Duration negativeTtl();
    }
}
