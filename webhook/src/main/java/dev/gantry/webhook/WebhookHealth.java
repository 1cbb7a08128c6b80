package dev.gantry.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the Environment and Namespace caches hold their first full list: before that every answer could lie. */
@Readiness
@ApplicationScoped
public class WebhookHealth implements HealthCheck {
    @Inject
    EnvironmentIndex index;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("environment-cache").status(index.synced()).build();
    }
}
