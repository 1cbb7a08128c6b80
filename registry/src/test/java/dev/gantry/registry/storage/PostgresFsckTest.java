package dev.gantry.registry.storage;

/** {@link FsckContract} on PostgreSQL. */
class PostgresFsckTest extends FsckContract {
    PostgresFsckTest() {
        super(TestDatabases.Backend.POSTGRES);
    }
}
