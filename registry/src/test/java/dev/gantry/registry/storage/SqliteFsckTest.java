package dev.gantry.registry.storage;

/** {@link FsckContract} on SQLite. */
class SqliteFsckTest extends FsckContract {
    SqliteFsckTest() {
        super(TestDatabases.Backend.SQLITE);
    }
}
