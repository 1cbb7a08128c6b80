package dev.gantry.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Gantry's own settings ({@code gantry.*}, or {@code GANTRY_*} in the environment). */
@ConfigMapping(prefix = "gantry")
public interface GantryConfig {
    /** Blobs, uploads and (with SQLite) the metadata database live here. */
    @WithDefault("data")
    Path dataDir();

    Storage storage();

    /** A YAML file of Registry resources (the CRD's shape); without it, the default dev → prod pipeline. */
    Optional<Path> registriesFile();

    Limits limits();

    Auth auth();

    GarbageCollection gc();

    /** How long a Remote registry waits for its upstream before serving what it has cached. */
    @WithDefault("10s")
    java.time.Duration upstreamTimeout();

    interface Storage {
        /** JDBC URL of the metadata database; default: SQLite in the data directory. */
        Optional<String> jdbcUrl();

        Optional<String> username();

        Optional<String> password();

        @WithDefault("8")
        int maxConnections();
    }

    /**
     * Access control. Off only for the local quick start (the banner says so); every deploy/ configuration turns
     * it on.
     */
    interface Auth {
        @WithDefault("false")
        boolean enabled();

        /** The bootstrap administrator's name. */
        @WithDefault("admin")
        String adminUser();

        /** The bootstrap administrator's password (or {@link #adminPasswordFile()}, e.g. a mounted Secret). */
        Optional<String> adminPassword();

        Optional<Path> adminPasswordFile();

        /** How long a registry token lives. */
        @WithDefault("5m")
        java.time.Duration tokenTtl();

        /** After a rotation, how long a robot's previous secret keeps working. */
        @WithDefault("10m")
        java.time.Duration rotationOverlap();

        /** The {@code service} of the token challenge and the tokens' audience. */
        @WithDefault("gantry")
        String service();

        /** The token endpoint clients are sent to; default: {@code <scheme>://<Host of the request>/token}. */
        Optional<String> realm();
    }

    interface Limits {
        /** The OCI distribution spec's customary manifest limit. */
        @WithDefault("4194304")
        int manifestBytes();

        @WithDefault("1000")
        int maxPageSize();

        /**
         * How long an upload session may stay open, from its start (Distribution's upload purging age): an older
         * session is refused with BLOB_UPLOAD_UNKNOWN and garbage collection removes it and its bytes.
         */
        @WithDefault("24h")
        java.time.Duration uploadLifetime();
    }

    /** Online garbage collection: unreferenced blobs, expired untagged manifests, abandoned uploads. */
    interface GarbageCollection {
        /** How often it runs on its own ({@code off} to run it only through {@code POST /api/v1/gc}). */
        @WithDefault("1h")
        String interval();

        /** How long after start-up the first scheduled run waits (the registry settles and serves first). */
        @WithDefault("1m")
        String initialDelay();

        /**
         * Content younger than this is never collected: a client uploads layers before the manifest that
         * references them, and a push in progress must not lose them (Harbor's "time window").
         */
        @WithDefault("2h")
        java.time.Duration gracePeriod();
    }
}
