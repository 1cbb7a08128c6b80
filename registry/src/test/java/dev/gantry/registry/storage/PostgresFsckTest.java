package dev.gantry.registry.storage;

import org.junit.jupiter.api.AfterEach;

class PostgresFsckTest extends FsckContract {
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
