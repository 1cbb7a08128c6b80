package dev.gantry.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events on the resources the operator acts for, so {@code kubectl describe} tells the story. Events
 * about cluster-scoped resources go to {@code default}, as Kubernetes' own controllers do. An Event that cannot be
 * written is logged, never a reason to fail a reconciliation.
 */
@ApplicationScoped
public class Events {
    private static final Logger LOG = Logger.getLogger(Events.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    @Inject
    KubernetesClient client;

    public void record(HasMetadata about, EventReason reason, String message) {
        String namespace = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String name = about.getMetadata().getName() + "." + Long.toHexString(System.currentTimeMillis())
                + Long.toHexString(SEQUENCE.incrementAndGet());
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(name.toLowerCase(Locale.ROOT)).withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion())
                            .withKind(about.getKind()).withName(about.getMetadata().getName())
                            .withNamespace(about.getMetadata().getNamespace()).withUid(about.getMetadata().getUid())
                            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
                    .withReason(reason.name()).withType(reason.type()).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("gantry-operator").endSource()
                    .withReportingComponent("gantry-operator").build()).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record event %s on %s %s: %s", reason, about.getKind(), about.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
