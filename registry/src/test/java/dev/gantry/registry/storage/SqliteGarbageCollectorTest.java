package dev.gantry.registry.storage;

/** {@link GarbageCollectorContract} on SQLite. */
class SqliteGarbageCollectorTest extends GarbageCollectorContract {
    SqliteGarbageCollectorTest() {
        super(TestDatabases.Backend.SQLITE);
    }
}
