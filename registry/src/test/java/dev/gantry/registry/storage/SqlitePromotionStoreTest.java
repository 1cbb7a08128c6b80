package dev.gantry.registry.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqlitePromotionStoreTest extends PromotionStoreContract {
    @TempDir
    Path dir;
    private Database db;

    @Override
    Database database() {
        db = TestDatabases.sqlite(dir);
        return db;
    }

    @AfterEach
    void close() {
        db.close();
    }
}
