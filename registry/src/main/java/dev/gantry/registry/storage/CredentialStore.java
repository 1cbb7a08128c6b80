package dev.gantry.registry.storage;

import java.util.List;

/** Robot accounts and their grants. Secrets arrive here already hashed. */
public final class CredentialStore {
    private final Database db;

    public CredentialStore(Database db) {
        this.db = db;
    }

    public record StoredGrant(String registry, String actions) {
    }

    /** A robot; {@code previousSecretHash} verifies too until {@code previousValidUntil} (after a rotation). */
    public record Robot(String name, String secretHash, Long expiresAt, List<StoredGrant> grants,
            String previousSecretHash, Long previousValidUntil) {
    }

    public void create(String name, String secretHash, Long expiresAt, List<StoredGrant> grants) {
        Sql.transaction(db, c -> {
            Sql.update(c, "INSERT INTO robots (name, secret_hash, expires_at, created_at) VALUES (?, ?, ?, ?)",
                    name, secretHash, expiresAt, System.currentTimeMillis());
            for (StoredGrant g : grants) {
                Sql.update(c, "INSERT INTO grants (robot, registry, actions) VALUES (?, ?, ?)", name, g.registry(),
                        g.actions());
            }
            return null;
        });
    }

    public Robot find(String name) {
        return Sql.read(db, c -> {
            Robot robot = Sql.first(c, "SELECT name, secret_hash, expires_at, previous_secret_hash, "
                    + "previous_valid_until FROM robots WHERE name = ?",
                    rs -> new Robot(rs.getString(1), rs.getString(2), rs.getObject(3) == null ? null : rs.getLong(3),
                            List.of(), rs.getString(4), rs.getObject(5) == null ? null : rs.getLong(5)), name);
            if (robot == null) {
                return null;
            }
            List<StoredGrant> grants = Sql.query(c, "SELECT registry, actions FROM grants WHERE robot = ? "
                    + "ORDER BY registry", rs -> new StoredGrant(rs.getString(1), rs.getString(2)), name);
            return new Robot(robot.name(), robot.secretHash(), robot.expiresAt(), grants, robot.previousSecretHash(),
                    robot.previousValidUntil());
        });
    }

    /** Replaces the secret; the current one keeps working until {@code previousValidUntil}. */
    public boolean rotate(String name, String newSecretHash, long previousValidUntil) {
        return Sql.transaction(db, c -> Sql.update(c, "UPDATE robots SET previous_secret_hash = secret_hash, "
                + "previous_valid_until = ?, secret_hash = ? WHERE name = ?", previousValidUntil, newSecretHash,
                name) > 0);
    }

    public boolean delete(String name) {
        return Sql.transaction(db, c -> {
            Sql.update(c, "DELETE FROM grants WHERE robot = ?", name);
            return Sql.update(c, "DELETE FROM robots WHERE name = ?", name) > 0;
        });
    }
}
