package dev.gantry.registry.storage;

import dev.gantry.registry.config.GantryConfig;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalPropertiesReader;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The metadata database: SQLite (the embedded default, one file in the data directory) or PostgreSQL, chosen by the
 * JDBC URL at run time; one schema (Flyway migrations) and one code path for both.
 */
public final class Database implements AutoCloseable {
    private final AgroalDataSource dataSource;
    private final boolean sqlite;

    private Database(AgroalDataSource dataSource, boolean sqlite) {
        this.dataSource = dataSource;
        this.sqlite = sqlite;
    }

    public static Database open(GantryConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StorageException("cannot create the data directory " + config.dataDir(), e);
        }
        String url = config.storage().jdbcUrl()
                .orElse("jdbc:sqlite:" + config.dataDir().resolve("gantry.db").toAbsolutePath());
        return open(url, config.storage().username().orElse(null), config.storage().password().orElse(null),
                config.storage().maxConnections());
    }

    public static Database open(String url, String username, String password, int maxConnections) {
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        Map<String, String> props = new HashMap<>();
        props.put(AgroalPropertiesReader.JDBC_URL, sqlite ? sqliteUrl(url) : url);
        // Name the driver instead of asking DriverManager, which only sees drivers of the class loader that first
        // registered them (a second application in one JVM, as in tests, would find none).
        if (sqlite) {
            props.put(AgroalPropertiesReader.PROVIDER_CLASS_NAME, "org.sqlite.JDBC");
        } else if (url.startsWith("jdbc:postgresql:")) {
            props.put(AgroalPropertiesReader.PROVIDER_CLASS_NAME, "org.postgresql.Driver");
        }
        // SQLite has one writer at a time: a small pool avoids queueing on its lock; readers use WAL snapshots.
        props.put(AgroalPropertiesReader.MAX_SIZE, String.valueOf(sqlite ? Math.min(maxConnections, 4) : maxConnections));
        props.put(AgroalPropertiesReader.MIN_SIZE, "1");
        props.put(AgroalPropertiesReader.INITIAL_SIZE, "1");
        props.put(AgroalPropertiesReader.ACQUISITION_TIMEOUT_S, "30");
        if (username != null) {
            props.put(AgroalPropertiesReader.PRINCIPAL, username);
        }
        if (password != null) {
            props.put(AgroalPropertiesReader.CREDENTIAL, password);
        }
        try {
            AgroalDataSource dataSource = AgroalDataSource.from(new AgroalPropertiesReader().readProperties(props));
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            return new Database(dataSource, sqlite);
        } catch (SQLException e) {
            throw new StorageException("cannot open the metadata database " + redact(url), e);
        }
    }

    /**
     * WAL lets readers run beside the writer; FULL synchronisation makes a committed transaction survive power loss;
     * IMMEDIATE transactions take the write lock up front, so two writers queue instead of failing to upgrade.
     */
    private static String sqliteUrl(String url) {
        String separator = url.contains("?") ? "&" : "?";
        return url + separator + "journal_mode=WAL&synchronous=FULL&foreign_keys=true&busy_timeout="
                + Duration.ofSeconds(30).toMillis() + "&transaction_mode=IMMEDIATE";
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&;]*", "password=***");
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    public boolean isSqlite() {
        return sqlite;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
