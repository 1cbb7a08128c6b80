package dev.gantry.registry;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Opens the store at start (so a bad configuration fails now, not at the first push) and says where the registry
 * listens, how it is protected (HTTPS or plain HTTP, authentication on or off: {@code gantry.auth.enabled}), and how to
 * use it.
 */
@Singleton
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    void onStart(@Observes StartupEvent event, Registries registries, GantryConfig config,
            TlsConfigurationRegistry tlsRegistry,
            @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port,
            @ConfigProperty(name = "quarkus.http.ssl-port") int sslPort,
            @ConfigProperty(name = "quarkus.http.tls-configuration-name") Optional<String> tlsConfigurationName,
            @ConfigProperty(name = "quarkus.http.insecure-requests") Optional<String> insecureRequests,
            @ConfigProperty(name = "gantry.auth.enabled", defaultValue = "false") boolean authEnabled) {
        boolean https = servesHttps(tlsRegistry, tlsConfigurationName);
        String plain = insecureRequests.orElse("enabled").trim().toLowerCase(Locale.ROOT);
        String list = registries.all().stream().map(StartupBanner::describe).collect(Collectors.joining("\n  "));
        String listening;
        List<String> hints;
        if (https) {
            String address = host + ":" + sslPort;
            listening = "Gantry registry on https://" + address + "/v2/ (HTTPS; " + switch (plain) {
                case "disabled" -> "plain HTTP off";
                case "redirect" -> "plain HTTP on http://" + host + ":" + port + "/ only redirects to HTTPS";
                default -> "plain HTTP ALSO served on http://" + host + ":" + port
                        + "/, as explicitly configured (quarkus.http.insecure-requests=enabled)";
            } + "; " + (authEnabled ? "authentication on" : "authentication OFF: anyone who reaches it may pull and push") + ")";
            hints = List.of(
                    "skopeo copy oci:LAYOUT:TAG docker://" + address + "/dev/team/app:1.0",
                    "podman push IMAGE " + address + "/dev/team/app:1.0",
                    "skopeo copy docker://" + address + "/dev/team/app:1.0 oci:OUT:1.0",
                    "podman pull " + address + "/dev/team/app:1.0",
                    "(clients must trust the certificate's CA: --cert-dir DIR holding ca.crt, or /etc/containers/certs.d/"
                            + address + "/ca.crt)");
        } else {
            String address = host + ":" + port;
            listening = "Gantry registry on http://" + address + "/v2/ (plain HTTP, no TLS; "
                    + (authEnabled ? "authentication on, but credentials and tokens cross the network in clear text"
                            : "authentication off: local quick start only") + ")";
            hints = List.of(
                    "skopeo copy --dest-tls-verify=false oci:LAYOUT:TAG docker://" + address + "/dev/team/app:1.0",
                    "podman push --tls-verify=false IMAGE " + address + "/dev/team/app:1.0",
                    "skopeo copy --src-tls-verify=false docker://" + address + "/dev/team/app:1.0 oci:OUT:1.0",
                    "podman pull --tls-verify=false " + address + "/dev/team/app:1.0");
        }
        LOG.infof("""
                %1$s
                data: %2$s
                registries:
                  %3$s
                push and pull:
                  %4$s""", listening, config.dataDir().toAbsolutePath(), list, String.join("\n  ", hints));
    }

    /**
     * Whether the HTTP server got a certificate: the same choice Quarkus makes (the named TLS configuration, else the
     * default one), and HTTPS is served exactly when that configuration has a key store.
     */
    static boolean servesHttps(TlsConfigurationRegistry tlsRegistry, Optional<String> tlsConfigurationName) {
        Optional<TlsConfiguration> tls = tlsConfigurationName.isPresent()
                ? tlsRegistry.get(tlsConfigurationName.get())
                : tlsRegistry.getDefault();
        return tls.map(t -> t.getKeyStoreOptions() != null).orElse(false);
    }

    private static String describe(RegistryDefinition r) {
        return switch (r.type()) {
            case Local -> r.name() + " (Local" + (r.pushAllowed() ? ", pushes" : ", no pushes")
                    + (r.promotionSourcesOrEmpty().isEmpty() ? "" : ", promotions from "
                    + String.join(", ", r.promotionSourcesOrEmpty()))
                    + (Boolean.TRUE.equals(r.immutableTags()) ? ", immutable tags" : "") + ")";
            case Remote -> r.name() + " (Remote, caching " + r.upstream().url() + ")";
            case Virtual -> r.name() + " (Virtual over " + String.join(", ", r.membersOrEmpty())
                    + (r.deployTo() == null ? "" : ", pushes to " + r.deployTo()) + ")";
        };
    }
}
