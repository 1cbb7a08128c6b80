package dev.gantry.operator.registry;

import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.operator.OperatorSettings;
import dev.gantry.operator.client.RegistryClient;
import dev.gantry.operator.client.RegistryException;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The other half of keeping the server's registries equal to the Registry resources: a registry the server holds
 * but no resource declares (the server's default pipeline on first start, or a resource deleted while the operator
 * was down) is deleted, if empty. One that holds content is never deleted this way, only reported: data is not
 * dropped on an inference. A registry must be an orphan on two passes in a row, so one whose resource was created
 * between the list and the delete is not touched. Virtual registries go first, since they reference the others.
 */
@ApplicationScoped
public class OrphanRegistries {
    private static final Logger LOG = Logger.getLogger(OrphanRegistries.class);

    @Inject
    RegistryClient registryServer;
    @Inject
    KubernetesClient client;
    @Inject
    OperatorSettings settings;

    private Set<String> orphansLastPass = Set.of();
    private Set<String> reported = Set.of();

    /** One pass; returns the registries it deleted. */
    public synchronized List<String> prune() {
        Set<String> declared = client.resources(Registry.class).list().getItems().stream()
                .map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
        List<RegistryClient.ServerRegistry> orphans = registryServer.listRegistries().stream()
                .filter(r -> !declared.contains(r.name()))
                .sorted(Comparator.comparing((RegistryClient.ServerRegistry r) -> !"Virtual".equals(r.type()))
                        .thenComparing(RegistryClient.ServerRegistry::name))
                .toList();
        Set<String> confirmed = orphansLastPass;
        orphansLastPass = orphans.stream().map(RegistryClient.ServerRegistry::name).collect(Collectors.toSet());
        Set<String> keptWithContent = new HashSet<>();
        List<String> deleted = new java.util.ArrayList<>();
        for (RegistryClient.ServerRegistry orphan : orphans) {
            if (!confirmed.contains(orphan.name())) {
                continue;
            }
            if (orphan.repositories() > 0) {
                keptWithContent.add(orphan.name());
                continue;
            }
            try {
                registryServer.deleteRegistry(orphan.name(), false);
                deleted.add(orphan.name());
                LOG.infof("deleted registry %s from the registry server: no Registry resource declares it",
                        orphan.name());
            } catch (RegistryException e) {
                if (e.isTransient()) {
                    throw e;
                }
                // In use by another orphan (deleted on a later pass) or filled meanwhile: kept.
                LOG.debugf("kept undeclared registry %s: %s", orphan.name(), e.getMessage());
            }
        }
        if (!keptWithContent.equals(reported) && !keptWithContent.isEmpty()) {
            LOG.warnf("the registry server holds registries no Registry resource declares, with content, so they are "
                    + "kept: %s (declare them, or delete them with the management API's ?force=true)",
                    keptWithContent.stream().sorted().toList());
        }
        reported = keptWithContent;
        return deleted;
    }
}
