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

    public record Robot(String name, String secretHash, Long expiresAt, List<StoredGrant> grants) {
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
            Robot robot = Sql.first(c, "SELECT name, secret_hash, expires_at FROM robots WHERE name = ?",
                    rs -> new Robot(rs.getString(1), rs.getString(2), rs.getObject(3) == null ? null : rs.getLong(3),
                            List.of()), name);
            if (robot == null) {
                return null;
            }
            List<StoredGrant> grants = Sql.query(c, "SELECT registry, actions FROM grants WHERE robot = ? "
                    + "ORDER BY registry", rs -> new StoredGrant(rs.getString(1), rs.getString(2)), name);
            return new Robot(robot.name(), robot.secretHash(), robot.expiresAt(), grants);
        });
    }

    public boolean delete(String name) {
        return Sql.transaction(db, c -> {
            Sql.update(c, "DELETE FROM grants WHERE robot = ?", name);
            return Sql.update(c, "DELETE FROM robots WHERE name = ?", name) > 0;
        });
    }
}
