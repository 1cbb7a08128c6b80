package dev.gantry.registry.storage;

import org.junit.jupiter.api.AfterEach;

class SqliteGarbageCollectorTest extends GarbageCollectorContract {
    private Database sqlite;

    @Override
    Database database() {
        sqlite = TestDatabases.sqlite(dataDir);
        return sqlite;
    }

    @AfterEach
    void close() {
        sqlite.close();
    }
}
