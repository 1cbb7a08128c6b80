package dev.gantry.webhook;

import dev.gantry.api.selection.LabelSelectors;
import dev.gantry.api.v1alpha1.Environment;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which Environment a namespace belongs to, answered from informer caches of Environments and Namespaces: no API
 * call on the admission path, where kube-apiserver waits for every pod.
 */
@ApplicationScoped
public class EnvironmentIndex {
    @Inject
    KubernetesClient client;

    private volatile SharedIndexInformer<Environment> environments;
    private volatile SharedIndexInformer<Namespace> namespaces;

    void start(@Observes StartupEvent event) {
        environments = client.resources(Environment.class).inform();
        namespaces = client.namespaces().inform();
    }

    void stop(@Observes ShutdownEvent event) {
        if (environments != null) {
            environments.stop();
        }
        if (namespaces != null) {
            namespaces.stop();
        }
    }

    /** Both caches have their first full list (readiness). */
    public boolean synced() {
        return environments != null && namespaces != null && environments.hasSynced() && namespaces.hasSynced();
    }

    /** The Environments whose selector matches the namespace's labels, by name. */
    public List<Environment> environmentsOf(String namespace) {
        Map<String, String> labels = labels(namespace).orElse(null);
        if (labels == null) {
            return List.of();
        }
        return environments.getStore().list().stream()
                .filter(e -> e.getSpec() != null && e.getMetadata().getDeletionTimestamp() == null)
                .filter(e -> LabelSelectors.matches(e.getSpec().getNamespaceSelector(), labels))
                .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
                .toList();
    }

    private Optional<Map<String, String>> labels(String namespace) {
        Namespace ns = namespaces.getStore().getByKey(namespace);
        if (ns == null) {
            // Created a moment ago and not in the cache yet: ask, rather than let its first pods pass unchecked.
            ns = client.namespaces().withName(namespace).get();
            if (ns == null) {
                return Optional.empty();
            }
        }
        return Optional.of(ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
    }
}
