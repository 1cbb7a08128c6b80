package dev.gantry.registry.storage;

/** {@link MetadataStoreContract} on PostgreSQL. */
class PostgresMetadataStoreTest extends MetadataStoreContract {
    PostgresMetadataStoreTest() {
        super(TestDatabases.Backend.POSTGRES);
    }
}
