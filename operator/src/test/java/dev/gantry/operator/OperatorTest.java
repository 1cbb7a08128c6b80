package dev.gantry.operator;

import dev.gantry.testing.RegistryServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * What every operator test runs against: the operator application itself (its reconcilers started by Quarkus), the
 * Fabric8 mock API server in CRUD mode (no real one runs on the build machines) and the real registry server as a
 * separate process. All test classes share one of each, so names are unique per test.
 */
@WithKubernetesTestServer(crud = true, setup = MockApiServerSetup.class)
@QuarkusTestResource(RegistryServerResource.class)
public abstract class OperatorTest {
    @Inject
    protected KubernetesClient client;

    protected final RegistryServer registryServer = RegistryServer.shared();

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions();
    }

    protected static Condition condition(List<Condition> conditions, String type) {
        return Conditions.find(conditions, type);
    }

    /** The Events recorded about a resource, oldest first. */
    protected List<Event> eventsAbout(HasMetadata resource) {
        String namespace = resource.getMetadata().getNamespace() == null ? "default"
                : resource.getMetadata().getNamespace();
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> resource.getMetadata().getName().equals(e.getInvolvedObject().getName())
                        && resource.getKind().equals(e.getInvolvedObject().getKind()))
                .toList();
    }

    protected List<String> eventReasons(HasMetadata resource) {
        return eventsAbout(resource).stream().map(Event::getReason).toList();
    }
}
