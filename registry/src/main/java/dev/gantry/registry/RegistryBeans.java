package dev.gantry.registry;

import dev.gantry.registry.auth.AccessControl;
import dev.gantry.registry.auth.Authenticator;
import dev.gantry.registry.auth.TokenRoute;
import dev.gantry.registry.auth.TokenService;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.storage.CredentialStore;
import dev.gantry.registry.management.PromotionService;
import dev.gantry.registry.remote.PullThroughCache;
import dev.gantry.registry.remote.UpstreamClient;
import dev.gantry.registry.storage.PromotionStore;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryDefinitionsFile;
import dev.gantry.registry.service.BlobService;
import dev.gantry.registry.service.ManifestService;
import dev.gantry.registry.service.RepositoryResolver;
import dev.gantry.registry.service.UploadService;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.Database;
import dev.gantry.registry.storage.Fsck;
import dev.gantry.registry.storage.GarbageCollector;
import dev.gantry.registry.service.GarbageCollection;
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
    Fsck fsck(GantryConfig config, BlobStore blobs, Database database) {
        return new Fsck(config.dataDir(), blobs, database);
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
    UploadService uploads(MetadataStore metadata, BlobStore blobs, GantryConfig config) {
        return new UploadService(metadata, blobs, config.limits().uploadLifetime(),
                config.limits().openUploadsPerRepository());
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
    GarbageCollection garbageCollection(Database database, BlobStore blobs, Registries registries,
            UploadService uploads, GantryConfig config, RegistryMetrics metrics) {
        return new GarbageCollection(new GarbageCollector(database, blobs), registries, uploads,
                config.gc().gracePeriod(), config.limits().uploadLifetime(), metrics::collected);
    }

    @Produces
    @Singleton
    CredentialStore credentialStore(Database database) {
        return new CredentialStore(database);
    }

    @Produces
    @Singleton
    Authenticator authenticator(CredentialStore store, GantryConfig config) {
        GantryConfig.Auth auth = config.auth();
        String password = auth.adminPassword().orElseGet(() -> auth.adminPasswordFile().map(file -> {
            try {
                return java.nio.file.Files.readString(file).strip();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read the admin password file " + file, e);
            }
        }).orElse(null));
        if (auth.enabled() && password == null) {
            throw new IllegalStateException("access control is on but no bootstrap admin password is configured: "
                    + "set GANTRY_AUTH_ADMIN_PASSWORD or GANTRY_AUTH_ADMIN_PASSWORD_FILE");
        }
        return new Authenticator(store, auth.adminUser(), password);
    }

    @Produces
    @Singleton
    TokenService tokenService(GantryConfig config) {
        return new TokenService(config.auth().service(), config.auth().tokenTtl());
    }

    @Produces
    @Singleton
    AccessControl accessControl(Authenticator authenticator, TokenService tokens, GantryConfig config,
            Registries registries) {
        return new AccessControl(authenticator, tokens, config.auth().realm().orElse(null), anonymousPull(registries));
    }

    private static java.util.function.Predicate<String> anonymousPull(Registries registries) {
        return name -> registries.find(name).map(RegistryDefinition::pullableAnonymously).orElse(false);
    }

    @Produces
    @Singleton
    TokenRoute tokenRoute(Authenticator authenticator, TokenService tokens, Registries registries) {
        return new TokenRoute(authenticator, tokens, anonymousPull(registries));
    }

    @Produces
    @Singleton
    PullThroughCache pullThroughCache(MetadataStore metadata, BlobStore blobs, GantryConfig config) {
        return new PullThroughCache(metadata, blobs, new UpstreamClient(config.upstreamTimeout()));
    }
}
