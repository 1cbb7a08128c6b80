package dev.gantry.registry.storage;

/** {@link PromotionStoreContract} on SQLite. */
class SqlitePromotionStoreTest extends PromotionStoreContract {
    SqlitePromotionStoreTest() {
        super(TestDatabases.Backend.SQLITE);
    }
}
