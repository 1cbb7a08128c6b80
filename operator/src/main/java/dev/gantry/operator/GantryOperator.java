package dev.gantry.operator;

import dev.gantry.operator.environment.EnvironmentReconciler;
import dev.gantry.operator.promotion.PromotionReconciler;
import dev.gantry.operator.registry.OrphanRegistries;
import dev.gantry.operator.registry.RegistryReconciler;
import dev.gantry.operator.webhook.WebhookCertificates;
import dev.gantry.operator.webhook.WebhookRegistryCredential;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs Java Operator SDK inside Quarkus: Quarkus' Kubernetes client and configuration, our metrics, status written
 * by JSON Patch (not server-side apply), one retry policy for transient failures (exponential, never giving up), a
 * Lease so only one replica reconciles, and a stop that lets running reconciliations finish.
 */
@ApplicationScoped
public class GantryOperator {
    private static final Logger LOG = Logger.getLogger(GantryOperator.class);

    @Inject
    KubernetesClient client;
    @Inject
    OperatorSettings settings;
    @Inject
    OperatorMetrics metrics;
    @Inject
    RegistryReconciler registries;
    @Inject
    EnvironmentReconciler environments;
    @Inject
    PromotionReconciler promotions;
    @ConfigProperty(name = "POD_NAMESPACE")
    Optional<String> podNamespace;
    @ConfigProperty(name = "HOSTNAME")
    Optional<String> hostname;

    @Inject
    OrphanRegistries orphans;
    @Inject
    WebhookCertificates webhookCertificates;
    @Inject
    WebhookRegistryCredential webhookCredential;

    private final AtomicBoolean leading = new AtomicBoolean();
    private volatile Operator operator;
    private ScheduledExecutorService housekeeping;
    private ScheduledExecutorService certificates;
    /** When the next certificate pass is due; touched only by the webhook-certificates thread. */
    private Instant certificatesDue = Instant.MIN;

    void start(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            LOG.info("reconcilers disabled (gantry.operator.enabled=false)");
            return;
        }
        Operator started = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withUseSSAToPatchPrimaryResource(false)
                    .checkingCRDAndValidateLocalModel(false)
                    .withCloseClientOnStop(false)
                    .withReconciliationTerminationTimeout(settings.shutdownTimeout());
            if (settings.leaderElection().enabled()) {
                String identity = hostname.orElse("gantry-operator") + "-" + ProcessHandle.current().pid();
                overrider.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(settings.leaderElection().leaseName())
                        .withLeaseNamespace(settings.leaderElection().leaseNamespace()
                                .or(() -> podNamespace).orElse("gantry-system"))
                        .withIdentity(identity)
                        .withLeaderCallbacks(new LeaderCallbacks(() -> {
                            leading.set(true);
                            LOG.infof("%s leads: reconciling", identity);
                        }, () -> {
                            leading.set(false);
                            LOG.infof("%s no longer leads", identity);
                        }, newLeader -> LOG.infof("leader is %s", newLeader)))
                        .build());
            } else {
                leading.set(true);
            }
        });
        started.register(registries, o -> configure(o));
        started.register(environments, o -> configure(o));
        started.register(promotions, o -> configure(o));
        started.start();
        operator = started;
        if (settings.pruneRegistries() || settings.webhookCredential().enabled()) {
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "registry-housekeeping"));
            long every = settings.registryResync().toMillis();
            housekeeping.scheduleWithFixedDelay(this::housekeepingIfLeading, every, every, TimeUnit.MILLISECONDS);
        }
        if (settings.webhookCertificates().enabled()) {
            // A short tick that only compares times: a new leader acts within it, and a pass can ask to come back
            // sooner than check-interval (a certificate due earlier, a missing ValidatingWebhookConfiguration).
            certificates = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "webhook-certificates"));
            long tick = Math.clamp(settings.webhookCertificates().checkInterval().toMillis(), 1_000, 10_000);
            certificates.scheduleWithFixedDelay(this::certificatesIfLeading, 0, tick, TimeUnit.MILLISECONDS);
        }
        LOG.infof("gantry operator started against registry server %s", settings.registry().url());
    }

    private <R extends io.fabric8.kubernetes.api.model.HasMetadata> void configure(
            ControllerConfigurationOverrider<R> overrider) {
        GenericRetry retry = new GenericRetry().withoutMaxAttempts()
                .setInitialInterval(settings.retry().initialInterval().toMillis())
                .setIntervalMultiplier(2.0)
                .setMaxInterval(settings.retry().maxInterval().toMillis());
        overrider.withRetry(retry);
    }

    /**
     * Registry-server housekeeping every registry-resync, on the replica holding the Lease only: undeclared
     * registries, the webhook's credential.
     */
    private void housekeepingIfLeading() {
        if (!leading.get()) {
            return;
        }
        if (settings.pruneRegistries()) {
            try {
                orphans.prune();
            } catch (RuntimeException e) {
                LOG.warnf("could not look for undeclared registries: %s", e.getMessage());
            }
        }
        if (settings.webhookCredential().enabled()) {
            try {
                webhookCredential.ensure();
            } catch (RuntimeException e) {
                LOG.warnf("could not check the webhook's registry credential: %s", e.getMessage());
            }
        }
    }

    /** Only the replica holding the Lease writes the webhook's certificates; a new leader checks at once. */
    private void certificatesIfLeading() {
        if (!leading.get()) {
            certificatesDue = Instant.MIN;
            return;
        }
        Instant now = Instant.now();
        if (now.isBefore(certificatesDue)) {
            return;
        }
        try {
            certificatesDue = now.plus(webhookCertificates.ensure());
        } catch (RuntimeException e) {
            LOG.warnf("could not check the webhook's certificates: %s", e.getMessage());
            certificatesDue = now.plus(settings.refusedRetry());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (certificates != null) {
            certificates.shutdownNow();
        }
        Operator running = operator;
        if (running != null) {
            running.stop();
        }
    }

    /** Whether the SDK started and its informers are healthy (for the readiness probe). */
    public Optional<Operator> operator() {
        return Optional.ofNullable(operator);
    }

    public boolean leading() {
        return leading.get();
    }
}
