package dev.gantry.registry;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Opens the store at start (so a bad configuration fails now, not at the first push) and says where the registry
 * listens, how it is protected, and how to use it.
 */
@Singleton
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    void onStart(@Observes StartupEvent event, Registries registries, GantryConfig config,
            @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        String address = host + ":" + port;
        String list = registries.all().stream().map(StartupBanner::describe).collect(Collectors.joining("\n  "));
        LOG.infof("""
                Gantry registry on http://%1$s/v2/ (plain HTTP, authentication off: local quick start only)
                data: %2$s
                registries:
                  %3$s
                push and pull:
                  skopeo copy --dest-tls-verify=false oci:LAYOUT:TAG docker://%1$s/dev/team/app:1.0
                  podman push --tls-verify=false IMAGE %1$s/dev/team/app:1.0
                  skopeo copy --src-tls-verify=false docker://%1$s/dev/team/app:1.0 oci:OUT:1.0
                  podman pull --tls-verify=false %1$s/dev/team/app:1.0""",
                address, config.dataDir().toAbsolutePath(), list);
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
