package dev.gantry.registry.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers: one transaction per unit of work, parameters bound in order. */
final class Sql {
    private Sql() {
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    static <T> T transaction(Database db, Work<T> work) {
        try (Connection c = db.connection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StorageException("metadata transaction failed", e);
        }
    }

    /** PostgreSQL advisory-lock key that writers share and garbage collection takes alone ("gant"). */
    private static final long COLLECTOR_LOCK = 0x67616e74L;

    /**
     * A transaction that adds references to stored content (a push, an upload's completion, a mount, a promotion):
     * it holds the collector's lock shared, so a sweep never runs between the writer's checks ("the repository holds
     * this blob") and its writes. On SQLite every write transaction is exclusive already (IMMEDIATE).
     */
    static <T> T referencing(Database db, Work<T> work) {
        return transaction(db, c -> {
            if (!db.isSqlite()) {
                query(c, "SELECT pg_advisory_xact_lock_shared(?)", rs -> 1, COLLECTOR_LOCK);
            }
            return work.run(c);
        });
    }

    /**
     * A garbage-collection transaction: no referencing transaction runs beside it, so what it reads is what it may
     * delete (marking and sweeping are one transaction).
     */
    static <T> T sweeping(Database db, Work<T> work) {
        return transaction(db, c -> {
            if (!db.isSqlite()) {
                query(c, "SELECT pg_advisory_xact_lock(?)", rs -> 1, COLLECTOR_LOCK);
            }
            return work.run(c);
        });
    }

    static <T> T read(Database db, Work<T> work) {
        try (Connection c = db.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StorageException("metadata query failed", e);
        }
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        }
    }

    static <T> T first(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        List<T> rows = query(c, sql, row, params);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }
}
