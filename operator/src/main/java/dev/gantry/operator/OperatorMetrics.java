package dev.gantry.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The operator's Prometheus metrics: every reconciliation by kind, action (reconcile or cleanup) and outcome, with
 * its duration, and promotions by outcome. Plugged into Java Operator SDK as its {@link Metrics}, so reconciliations
 * are timed where the SDK runs them, including those that throw.
 */
@ApplicationScoped
public class OperatorMetrics implements Metrics {
    @Inject
    MeterRegistry meters;

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            T result = execution.execute();
            outcome = "success";
            return result;
        } finally {
            String kind = execution.controllerName();
            sample.stop(Timer.builder("gantry.operator.reconciliation.duration")
                    .description("Time spent reconciling one resource").tag("kind", kind)
                    .tag("action", execution.name()).tag("outcome", outcome).register(meters));
            Counter.builder("gantry.operator.reconciliations").description("Reconciliations run")
                    .tag("kind", kind).tag("action", execution.name()).tag("outcome", outcome).register(meters)
                    .increment();
        }
    }

    /** A promotion's end: {@code succeeded}, {@code failed} (the registry refused it) or {@code retried}. */
    public void promotion(String outcome) {
        Counter.builder("gantry.operator.promotions").description("Promotions by outcome").tag("outcome", outcome)
                .register(meters).increment();
    }
}
