package dev.gantry.registry;

import dev.gantry.registry.service.GarbageCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Garbage collection on its own: every {@code gantry.gc.interval} ({@code off}: only on request). */
@Singleton
public class GarbageCollectionSchedule {
    private static final Logger LOG = Logger.getLogger(GarbageCollectionSchedule.class);

    @Inject
    GarbageCollection gc;

    void recoverTrash(@Observes StartupEvent event) {
        gc.recover();
    }

    @Scheduled(identity = "garbage-collection", every = "${gantry.gc.interval}", delayed = "${gantry.gc.initial-delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void collect() {
        try {
            if (gc.run(false).isEmpty()) {
                LOG.info("garbage collection skipped: a requested run is in progress");
            }
        } catch (RuntimeException e) {
            LOG.error("garbage collection failed; nothing it had not committed was removed", e);
        }
    }
}
