package dev.gantry.operator;

import dev.gantry.testing.RegistryServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the real registry server before the operator application and points the operator at it, with settings
 * short enough for a test to watch resyncs and retries happen.
 */
public class RegistryServerResource implements QuarkusTestResourceLifecycleManager {
    /** A host name image references use besides the loopback address (written into pull Secrets too). */
    public static final String PUBLIC_HOST = "gantry.test:5000";

    @Override
    public Map<String, String> start() {
        RegistryServer server = RegistryServer.shared();
        return Map.ofEntries(
                Map.entry("gantry.operator.registry.url", server.url()),
                Map.entry("gantry.operator.registry.username", "admin"),
                Map.entry("gantry.operator.registry.password", RegistryServer.ADMIN_PASSWORD),
                Map.entry("gantry.operator.registry.hosts", PUBLIC_HOST + "," + server.hostPort()),
                Map.entry("gantry.operator.registry.timeout", "3s"),
                Map.entry("gantry.operator.registry-resync", "2s"),
                Map.entry("gantry.operator.refused-retry", "2s"),
                Map.entry("gantry.operator.environment-resync", "10s"),
                Map.entry("gantry.operator.retry.initial-interval", "300ms"),
                Map.entry("gantry.operator.retry.max-interval", "2s"),
                Map.entry("gantry.operator.leader-election.lease-namespace", "gantry-system"),
                Map.entry("gantry.operator.webhook-certificates.namespace", "gantry-system"),
                Map.entry("gantry.operator.webhook-certificates.check-interval", "2s"));
    }

    @Override
    public void stop() {
        RegistryServer.shared().stop();
    }
}
