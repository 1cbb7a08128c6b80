package dev.gantry.registry;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.management.PromotionService;
import dev.gantry.registry.remote.PullThroughCache;
import dev.gantry.registry.remote.UpstreamClient;
import dev.gantry.registry.storage.PromotionStore;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinitionsFile;
import dev.gantry.registry.service.BlobService;
import dev.gantry.registry.service.ManifestService;
import dev.gantry.registry.service.RepositoryResolver;
import dev.gantry.registry.service.UploadService;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.Database;
import dev.gantry.registry.storage.MetadataStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the registry's parts together; all plain classes, so tests can build them without CDI. */
@Singleton
public class RegistryBeans {

    @Produces
    @Singleton
    Database database(GantryConfig config) {
        return Database.open(config);
    }

    void close(@Disposes Database database) {
        database.close();
    }

    @Produces
    @Singleton
    BlobStore blobStore(GantryConfig config) {
        return new BlobStore(config.dataDir());
    }

    @Produces
    @Singleton
    MetadataStore metadataStore(Database database) {
        return new MetadataStore(database);
    }

    @Produces
    @Singleton
    Registries registries(GantryConfig config, MetadataStore metadata) {
        return Registries.load(metadata, config.registriesFile().map(RegistryDefinitionsFile::read).orElse(null));
    }

    @Produces
    @Singleton
    RepositoryResolver resolver(Registries registries) {
        return new RepositoryResolver(registries);
    }

    @Produces
    @Singleton
    UploadService uploads(MetadataStore metadata, BlobStore blobs) {
        return new UploadService(metadata, blobs);
    }

    @Produces
    @Singleton
    ManifestService manifests(MetadataStore metadata, BlobStore blobs, Registries registries, PullThroughCache remote) {
        return new ManifestService(metadata, blobs, registries, remote);
    }

    @Produces
    @Singleton
    PromotionStore promotionStore(Database database) {
        return new PromotionStore(database);
    }

    @Produces
    @Singleton
    PromotionService promotions(Registries registries, PromotionStore store) {
        return new PromotionService(registries, store);
    }

    @Produces
    @Singleton
    BlobService blobs(MetadataStore metadata, BlobStore blobs, Registries registries, PullThroughCache remote) {
        return new BlobService(metadata, blobs, registries, remote);
    }

    @Produces
    @Singleton
    PullThroughCache pullThroughCache(MetadataStore metadata, BlobStore blobs, GantryConfig config) {
        return new PullThroughCache(metadata, blobs, new UpstreamClient(config.upstreamTimeout()));
    }
}
