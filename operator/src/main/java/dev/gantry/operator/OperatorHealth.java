package dev.gantry.operator;

import io.javaoperatorsdk.operator.Operator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the SDK has started and, on the replica that holds the Lease, every informer is healthy. A standby
 * replica is ready too: it is waiting for the Lease, not broken.
 */
@Readiness
@ApplicationScoped
public class OperatorHealth implements HealthCheck {
    @Inject
    GantryOperator gantry;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("operator");
        Operator operator = gantry.operator().orElse(null);
        if (operator == null || !operator.getRuntimeInfo().isStarted()) {
            return response.down().withData("started", false).build();
        }
        response.withData("leader", gantry.leading());
        if (gantry.leading() && !operator.getRuntimeInfo().allEventSourcesAreHealthy()) {
            return response.down().withData("unhealthy", operator.getRuntimeInfo().unhealthyEventSources().toString())
                    .build();
        }
        return response.up().build();
    }
}
