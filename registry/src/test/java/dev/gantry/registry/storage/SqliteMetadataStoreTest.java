package dev.gantry.registry.storage;

/** {@link MetadataStoreContract} on SQLite. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
    SqliteMetadataStoreTest() {
        super(TestDatabases.Backend.SQLITE);
    }
}
