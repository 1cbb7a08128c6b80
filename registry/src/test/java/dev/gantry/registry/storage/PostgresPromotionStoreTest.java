package dev.gantry.registry.storage;

/** {@link PromotionStoreContract} on PostgreSQL. */
class PostgresPromotionStoreTest extends PromotionStoreContract {
    PostgresPromotionStoreTest() {
        super(TestDatabases.Backend.POSTGRES);
    }
}
