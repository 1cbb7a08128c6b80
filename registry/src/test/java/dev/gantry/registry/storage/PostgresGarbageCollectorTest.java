package dev.gantry.registry.storage;

import org.junit.jupiter.api.AfterEach;

class PostgresGarbageCollectorTest extends GarbageCollectorContract {
    private TestDatabases.Postgres postgres;

    @Override
    Database database() {
        postgres = TestDatabases.postgres();
        return postgres.database();
    }

    @AfterEach
    void drop() {
        if (postgres != null) {
            postgres.drop().run();
        }
    }
}
