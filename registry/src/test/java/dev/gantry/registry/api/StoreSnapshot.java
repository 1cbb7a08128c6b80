package dev.gantry.registry.api;

import dev.gantry.registry.storage.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Everything the registry has written, to compare before and after a request: every file under {@code blobs/} and
 * {@code uploads/} with its size, and the row count of every metadata table.
 */
record StoreSnapshot(Map<String, Long> blobFiles, Map<String, Long> uploadFiles, Map<String, Long> rows) {
    static final List<String> TABLES = List.of("repositories", "blobs", "repository_blobs", "manifests",
            "manifest_references", "repository_manifests", "tags", "uploads", "properties", "promotions");

    static StoreSnapshot take(Path dataDir, Database database) {
        return new StoreSnapshot(files(dataDir.resolve("blobs")), files(dataDir.resolve("uploads")), rows(database));
    }

    /** This snapshot without one upload session: its staging file and its row. */
    StoreSnapshot withoutUpload(String id) {
        Map<String, Long> uploads = new TreeMap<>(uploadFiles);
        uploads.remove(id);
        Map<String, Long> counts = new TreeMap<>(rows);
        counts.merge("uploads", -1L, Long::sum);
        return new StoreSnapshot(blobFiles, uploads, counts);
    }

    /** What differs from {@code expected}, one readable line a file or table; empty when nothing does. */
    List<String> differencesFrom(StoreSnapshot expected) {
        List<String> differences = new ArrayList<>();
        compare("blobs/", expected.blobFiles, blobFiles, differences);
        compare("uploads/", expected.uploadFiles, uploadFiles, differences);
        compare("rows in ", expected.rows, rows, differences);
        return differences;
    }

    private static void compare(String prefix, Map<String, Long> expected, Map<String, Long> actual,
            List<String> differences) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            Long was = expected.get(key);
            Long is = actual.get(key);
            if (!Objects.equals(was, is)) {
                differences.add(prefix + key + ": " + (was == null ? "absent" : was) + " -> "
                        + (is == null ? "absent" : is));
            }
        }
    }

    private static Map<String, Long> files(Path root) {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(file -> {
                try {
                    files.put(root.relativize(file).toString(), Files.size(file));
                } catch (IOException e) {
                    files.put(root.relativize(file).toString(), -1L); // vanished while listed
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Map<String, Long> rows(Database database) {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = database.connection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }
}
