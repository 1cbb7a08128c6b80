package dev.gantry.registry.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteFsckTest extends FsckContract {
    @TempDir
    Path dir;
    private Database sqlite;

    @Override
    Database database() {
        sqlite = TestDatabases.sqlite(dir);
        return sqlite;
    }

    @AfterEach
    void close() {
        sqlite.close();
    }
}
