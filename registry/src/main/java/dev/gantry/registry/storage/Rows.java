package dev.gantry.registry.storage;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The row writes that pushes, uploads and promotions share, inside the caller's transaction. Each is idempotent
 * ({@code ON CONFLICT}), so a repeated push or promotion adds nothing.
 */
final class Rows {
    private Rows() {
    }

    static void repository(Connection c, RepositoryName repo, long now) throws SQLException {
        Sql.update(c, "INSERT INTO repositories (registry, name, created_at) VALUES (?, ?, ?) "
                + "ON CONFLICT (registry, name) DO NOTHING", repo.registry(), repo.repository(), now);
    }

    static void blob(Connection c, String digest, long size, long now) throws SQLException {
        Sql.update(c, "INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                digest, size, now);
    }

    /**
     * The repository may serve the blob (or manifest bytes). A repeated link restarts its clock: the client that
     * uploaded or mounted it again is about to reference it, and garbage collection spares young links.
     */
    static void linkBlob(Connection c, RepositoryName repo, String digest, long now) throws SQLException {
        Sql.update(c, "INSERT INTO repository_blobs (registry, repository, digest, created_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (registry, repository, digest) DO UPDATE SET created_at = excluded.created_at",
                repo.registry(), repo.repository(), digest, now);
    }

    /**
     * The repository holds the manifest. Pushing it again restarts its clock, so an untagged manifest a client just
     * pushed is not collected at once for having been pushed long ago.
     */
    static void holdManifest(Connection c, RepositoryName repo, String digest, long now) throws SQLException {
        Sql.update(c, "INSERT INTO repository_manifests (registry, repository, digest, created_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (registry, repository, digest) "
                + "DO UPDATE SET created_at = excluded.created_at", repo.registry(), repo.repository(), digest, now);
    }

    /**
     * Points a tag at a digest. With {@code immutable} an existing tag that points elsewhere is left alone and its
     * digest answered (the caller refuses and rolls back); the check and the write are one statement, so two
     * concurrent writers cannot both move the tag. Null when the tag now points at {@code digest}.
     */
    static String tag(Connection c, RepositoryName repo, String tag, String digest, boolean immutable, long now)
            throws SQLException {
        if (!immutable) {
            Sql.update(c, "INSERT INTO tags (registry, repository, name, digest, updated_at) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (registry, repository, name) DO UPDATE SET digest = excluded.digest, "
                    + "updated_at = excluded.updated_at", repo.registry(), repo.repository(), tag, digest, now);
            return null;
        }
        Sql.update(c, "INSERT INTO tags (registry, repository, name, digest, updated_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (registry, repository, name) DO NOTHING", repo.registry(), repo.repository(), tag,
                digest, now);
        String current = Sql.first(c, "SELECT digest FROM tags WHERE registry = ? AND repository = ? AND name = ?",
                rs -> rs.getString(1), repo.registry(), repo.repository(), tag);
        return digest.equals(current) ? null : current;
    }

    static void property(Connection c, RepositoryName repo, String digest, String name, String value, long now)
            throws SQLException {
        Sql.update(c, "INSERT INTO properties (registry, repository, digest, name, value, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (registry, repository, digest, name) "
                + "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                repo.registry(), repo.repository(), digest, name, value, now);
    }
}
