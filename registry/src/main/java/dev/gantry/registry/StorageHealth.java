package dev.gantry.registry;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.storage.MetadataStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready means pushes can land: the metadata database answers and the data directory is writable. */
@Readiness
@ApplicationScoped
public class StorageHealth implements HealthCheck {
    private final MetadataStore metadata;
    private final GantryConfig config;

    public StorageHealth(MetadataStore metadata, GantryConfig config) {
        this.metadata = metadata;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            int registries = metadata.registryNames().size();
            boolean writable = Files.isWritable(config.dataDir().resolve("blobs"))
                    && Files.isWritable(config.dataDir().resolve("uploads"));
            return HealthCheckResponse.named("storage").status(writable)
                    .withData("registries", registries)
                    .withData("dataDir", config.dataDir().toAbsolutePath().toString())
                    .build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("storage").down().withData("error", e.getMessage()).build();
        }
    }
}
