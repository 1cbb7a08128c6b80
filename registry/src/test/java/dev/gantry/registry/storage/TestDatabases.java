package dev.gantry.registry.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The databases the storage contract runs on. PostgreSQL comes from the environment ({@code GANTRY_TEST_POSTGRES_URL},
 * {@code _USER}, {@code _PASSWORD}; {@code .ci/run} starts one): each test gets a schema of its own. Where it is
 * missing the PostgreSQL run is skipped on a laptop but fails in CI ({@code GANTRY_REQUIRE_SERVICES=true}).
 */
final class TestDatabases {
    private TestDatabases() {
    }

    /** Which database a contract suite runs on. */
    enum Backend {
        SQLITE, POSTGRES
    }

    /**
     * One test's database: opened when the test asks for it, closed (SQLite: its directory deleted; PostgreSQL: its
     * schema dropped) after the test.
     */
    static final class PerTest implements AfterEachCallback {
        private final Backend backend;
        private Runnable release;

        PerTest(Backend backend) {
            this.backend = backend;
        }

        Database open() {
            if (backend == Backend.POSTGRES) {
                Postgres postgres = postgres();
                release = postgres.drop();
                return postgres.database();
            }
            try {
                Path dir = Files.createTempDirectory("gantry-sqlite-");
                Database database = sqlite(dir);
                release = () -> {
                    database.close();
                    deleteTree(dir);
                };
                return database;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (release != null) {
                release.run();
                release = null;
            }
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static Database sqlite(Path dir) {
        return Database.open("jdbc:sqlite:" + dir.resolve("gantry.db"), null, null, 4);
    }

    record Postgres(Database database, Runnable drop) {
    }

    static Postgres postgres() {
        String url = System.getenv("GANTRY_TEST_POSTGRES_URL");
        if (url == null) {
            String why = "no PostgreSQL: set GANTRY_TEST_POSTGRES_URL (and _USER, _PASSWORD); .ci/run does";
            if ("true".equals(System.getenv("GANTRY_REQUIRE_SERVICES"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        String user = System.getenv("GANTRY_TEST_POSTGRES_USER");
        String password = System.getenv("GANTRY_TEST_POSTGRES_PASSWORD");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
        execute(url, user, password, "CREATE SCHEMA " + schema);
        Database db = Database.open(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password,
                8);
        return new Postgres(db, () -> {
            db.close();
            execute(url, user, password, "DROP SCHEMA " + schema + " CASCADE");
        });
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
