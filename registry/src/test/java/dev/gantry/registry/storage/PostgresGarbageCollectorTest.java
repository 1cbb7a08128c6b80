package dev.gantry.registry.storage;

/** {@link GarbageCollectorContract} on PostgreSQL. */
class PostgresGarbageCollectorTest extends GarbageCollectorContract {
    PostgresGarbageCollectorTest() {
        super(TestDatabases.Backend.POSTGRES);
    }
}
