package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Everything the registry knows besides blob bytes, in SQL (schema in the package documentation). Each public method
 * is one transaction, so a client never sees half of an operation.
 */
public final class MetadataStore {
    private final Database db;
    /** Byte-order comparison on both backends: the spec sorts tags and repositories lexically, not by locale. */
    private final String collate;

    public MetadataStore(Database db) {
        this.db = db;
        this.collate = db.isSqlite() ? "" : " COLLATE \"C\"";
    }

    // --- registries -------------------------------------------------------------------------------------------

    public void putRegistry(String name, String type, String definitionJson) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO registries (name, type, definition, created_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET type = excluded.type, "
                + "definition = excluded.definition", name, type, definitionJson, now()));
    }

    /** Bytes of every stored blob, each counted once however many repositories hold it. */
    public long storedBytes() {
        return Sql.read(db, c -> Sql.first(c, "SELECT COALESCE(SUM(size), 0) FROM blobs", rs -> rs.getLong(1)));
    }

    public List<String> registryDefinitions() {
        return Sql.read(db, c -> Sql.query(c, "SELECT definition FROM registries ORDER BY created_at, name",
                rs -> rs.getString(1)));
    }

    public record RegistryStats(long repositories, long manifests, long storedBytes) {
    }

    /** Counts for a registry's status: repositories, manifests, and bytes of the distinct blobs it references. */
    public RegistryStats registryStats(String registry) {
        return Sql.read(db, c -> new RegistryStats(
                Sql.first(c, "SELECT COUNT(*) FROM repositories WHERE registry = ?", rs -> rs.getLong(1), registry),
                Sql.first(c, "SELECT COUNT(*) FROM repository_manifests WHERE registry = ?", rs -> rs.getLong(1),
                        registry),
                Sql.first(c, "SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.digest IN "
                        + "(SELECT digest FROM repository_blobs WHERE registry = ?)", rs -> rs.getLong(1), registry)));
    }

    /** Removes a registry and every reference it holds; blob files stay for garbage collection. */
    public void deleteRegistry(String registry) {
        Sql.transaction(db, c -> {
            for (String table : List.of("tags", "properties", "repository_manifests", "repository_blobs", "uploads")) {
                Sql.update(c, "DELETE FROM " + table + " WHERE registry = ?", registry);
            }
            Sql.update(c, "DELETE FROM repositories WHERE registry = ?", registry);
            Sql.update(c, "DELETE FROM registries WHERE name = ?", registry);
            return null;
        });
    }

    public List<String> registryNames() {
        return Sql.read(db, c -> Sql.query(c, "SELECT name FROM registries ORDER BY name" + collate,
                rs -> rs.getString(1)));
    }

    // --- blobs ------------------------------------------------------------------------------------------------

    /** The blob's size if the repository may serve it, else -1. */
    public long blobSizeIn(RepositoryName repo, Digest digest) {
        Long size = Sql.read(db, c -> Sql.first(c, "SELECT b.size FROM repository_blobs rb JOIN blobs b "
                + "ON b.digest = rb.digest WHERE rb.registry = ? AND rb.repository = ? AND rb.digest = ?",
                rs -> rs.getLong(1), repo.registry(), repo.repository(), digest.toString()));
        return size == null ? -1 : size;
    }

    /** Records a blob whose bytes are already in place (metadata-only callers: repairs, tests). */
    public void addBlob(RepositoryName repo, Digest digest, long size) {
        addBlob(repo, digest, size, () -> { });
    }

    /**
     * Records a stored blob and links it into the repository. {@code placeFile} puts the bytes under the digest
     * inside the transaction, so garbage collection cannot remove the file between its placing and its row.
     */
    public void addBlob(RepositoryName repo, Digest digest, long size, Runnable placeFile) {
        Sql.referencing(db, c -> {
            placeFile.run();
            Rows.repository(c, repo, now());
            Rows.blob(c, digest.toString(), size, now());
            Rows.linkBlob(c, repo, digest.toString(), now());
            return null;
        });
    }

    /** Mounts a blob from one repository into another; false if the source does not hold it. */
    public boolean mountBlob(RepositoryName from, RepositoryName to, Digest digest) {
        return Sql.referencing(db, c -> {
            Integer held = Sql.first(c, "SELECT 1 FROM repository_blobs WHERE registry = ? AND repository = ? "
                    + "AND digest = ?", rs -> 1, from.registry(), from.repository(), digest.toString());
            if (held == null) {
                return false;
            }
            Rows.repository(c, to, now());
            Rows.linkBlob(c, to, digest.toString(), now());
            return true;
        });
    }

    /**
     * Removes a blob from the repository; false when it does not hold it. A blob a manifest of the repository needs
     * (a config or layer, or the manifest's own bytes) stays: removing it would break that image
     * ({@link BlobInUseException}; delete the manifest first, and garbage collection frees the blob).
     */
    public boolean unlinkBlob(RepositoryName repo, Digest digest) {
        return Sql.transaction(db, c -> {
            String user = Sql.first(c, "SELECT rm.digest FROM repository_manifests rm WHERE rm.registry = ? AND "
                    + "rm.repository = ? AND (rm.digest = ? OR EXISTS (SELECT 1 FROM manifest_references mr WHERE "
                    + "mr.manifest = rm.digest AND mr.child = ?))", rs -> rs.getString(1), repo.registry(),
                    repo.repository(), digest.toString(), digest.toString());
            if (user != null) {
                throw new BlobInUseException(repo, digest, user);
            }
            return Sql.update(c, "DELETE FROM repository_blobs WHERE registry = ? AND repository = ? AND digest = ?",
                    repo.registry(), repo.repository(), digest.toString()) > 0;
        });
    }

    // --- manifests --------------------------------------------------------------------------------------------

    /**
     * The references of a manifest that the repository does not hold: blobs for an image manifest, child manifests
     * for an index. Empty when the manifest is whole.
     */
    public List<Digest> missingReferences(RepositoryName repo, List<Digest> blobs, List<Digest> manifests) {
        return Sql.read(db, c -> missingReferences(c, repo, blobs, manifests));
    }

    private static List<Digest> missingReferences(java.sql.Connection c, RepositoryName repo, List<Digest> blobs,
            List<Digest> manifests) throws java.sql.SQLException {
        List<Digest> missing = new ArrayList<>();
        for (Digest blob : new LinkedHashSet<>(blobs)) {
            if (Sql.first(c, "SELECT 1 FROM repository_blobs WHERE registry = ? AND repository = ? AND digest = ?",
                    rs -> 1, repo.registry(), repo.repository(), blob.toString()) == null) {
                missing.add(blob);
            }
        }
        for (Digest child : new LinkedHashSet<>(manifests)) {
            if (Sql.first(c, "SELECT 1 FROM repository_manifests WHERE registry = ? AND repository = ? "
                    + "AND digest = ?", rs -> 1, repo.registry(), repo.repository(), child.toString()) == null) {
                missing.add(child);
            }
        }
        return missing;
    }

    /**
     * Records a manifest whose bytes are already in place, without checking its references (metadata-only callers:
     * repairs, tests); mutable tags.
     */
    public void putManifest(RepositoryName repo, NewManifest m, String tag) {
        store(repo, m, tag, false, () -> { }, false);
    }

    /** As {@link #putManifest(RepositoryName, NewManifest, String)}, honouring immutable tags. */
    public void putManifest(RepositoryName repo, NewManifest m, String tag, boolean immutableTags) {
        store(repo, m, tag, immutableTags, () -> { }, false);
    }

    /**
     * A Remote registry caches a manifest from its upstream: its blobs are fetched when first pulled, so they are
     * not required here; the bytes are placed inside the transaction.
     */
    public void cacheManifest(RepositoryName repo, NewManifest m, String tag, Runnable placeFile) {
        store(repo, m, tag, false, placeFile, false);
    }

    /**
     * Stores a manifest's facts, places it in the repository and, when given, points the tag at it. The manifest's
     * references are checked in the same transaction as the write ({@link MissingReferencesException}), and
     * {@code placeFile} puts its bytes under the digest there too: garbage collection can run before or after, never
     * in between. With {@code immutableTags} an existing tag that points elsewhere is not moved and nothing is stored
     * ({@link TagImmutableException}); the check and the write are one statement, so two concurrent pushes cannot
     * both move the tag.
     */
    public void putManifest(RepositoryName repo, NewManifest m, String tag, boolean immutableTags,
            Runnable placeFile) {
        store(repo, m, tag, immutableTags, placeFile, true);
    }

    private void store(RepositoryName repo, NewManifest m, String tag, boolean immutableTags, Runnable placeFile,
            boolean checkReferences) {
        Sql.referencing(db, c -> {
            if (checkReferences) {
                List<Digest> missing = missingReferences(c, repo, m.blobs(), m.manifests());
                if (!missing.isEmpty()) {
                    throw new MissingReferencesException(repo, missing);
                }
            }
            placeFile.run();
            Rows.repository(c, repo, now());
            String digest = m.digest().toString();
            Rows.blob(c, digest, m.size(), now());
            int inserted = Sql.update(c, "INSERT INTO manifests (digest, media_type, artifact_type, subject, "
                    + "annotations, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING", digest,
                    m.mediaType(), m.artifactType(), m.subject() == null ? null : m.subject().toString(),
                    m.annotationsJson(), now());
            if (inserted > 0) {
                for (Digest blob : new LinkedHashSet<>(m.blobs())) {
                    Sql.update(c, "INSERT INTO manifest_references (manifest, child, kind) VALUES (?, ?, 'blob') "
                            + "ON CONFLICT (manifest, child) DO NOTHING", digest, blob.toString());
                }
                for (Digest child : new LinkedHashSet<>(m.manifests())) {
                    Sql.update(c, "INSERT INTO manifest_references (manifest, child, kind) VALUES (?, ?, "
                            + "'manifest') ON CONFLICT (manifest, child) DO NOTHING", digest, child.toString());
                }
            }
            Rows.linkBlob(c, repo, digest, now());
            Rows.holdManifest(c, repo, digest, now());
            if (tag != null) {
                String current = Rows.tag(c, repo, tag, digest, immutableTags, now());
                if (current != null) {
                    throw new TagImmutableException(repo, tag, current);
                }
            }
            return null;
        });
    }

    public StoredManifest manifestByDigest(RepositoryName repo, Digest digest) {
        return Sql.read(db, c -> Sql.first(c, "SELECT m.media_type, b.size FROM repository_manifests rm "
                + "JOIN manifests m ON m.digest = rm.digest JOIN blobs b ON b.digest = m.digest "
                + "WHERE rm.registry = ? AND rm.repository = ? AND rm.digest = ?",
                rs -> new StoredManifest(digest, rs.getString(1), rs.getLong(2)),
                repo.registry(), repo.repository(), digest.toString()));
    }

    public StoredManifest manifestByTag(RepositoryName repo, String tag) {
        return Sql.read(db, c -> Sql.first(c, "SELECT t.digest, m.media_type, b.size FROM tags t "
                + "JOIN manifests m ON m.digest = t.digest JOIN blobs b ON b.digest = m.digest "
                + "WHERE t.registry = ? AND t.repository = ? AND t.name = ?",
                rs -> new StoredManifest(Digest.parse(rs.getString(1)), rs.getString(2), rs.getLong(3)),
                repo.registry(), repo.repository(), tag));
    }

    /** A tag's manifest and when the tag was last set or confirmed (a pull-through cache's freshness). */
    public record TaggedManifest(StoredManifest manifest, java.time.Instant updatedAt) {
    }

    public TaggedManifest taggedManifest(RepositoryName repo, String tag) {
        return Sql.read(db, c -> Sql.first(c, "SELECT t.digest, m.media_type, b.size, t.updated_at FROM tags t "
                + "JOIN manifests m ON m.digest = t.digest JOIN blobs b ON b.digest = m.digest "
                + "WHERE t.registry = ? AND t.repository = ? AND t.name = ?",
                rs -> new TaggedManifest(new StoredManifest(Digest.parse(rs.getString(1)), rs.getString(2),
                        rs.getLong(3)), java.time.Instant.ofEpochMilli(rs.getLong(4))),
                repo.registry(), repo.repository(), tag));
    }

    /** Marks a tag as confirmed now (a pull-through cache found it unchanged upstream). */
    public void touchTag(RepositoryName repo, String tag) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE tags SET updated_at = ? WHERE registry = ? AND repository = ? "
                + "AND name = ?", now(), repo.registry(), repo.repository(), tag));
    }

    /** Removes a manifest from the repository, with every tag there that points at it. */
    public boolean deleteManifest(RepositoryName repo, Digest digest) {
        return Sql.transaction(db, c -> {
            Sql.update(c, "DELETE FROM tags WHERE registry = ? AND repository = ? AND digest = ?",
                    repo.registry(), repo.repository(), digest.toString());
            return Sql.update(c, "DELETE FROM repository_manifests WHERE registry = ? AND repository = ? "
                    + "AND digest = ?", repo.registry(), repo.repository(), digest.toString()) > 0;
        });
    }

    public boolean deleteTag(RepositoryName repo, String tag) {
        return Sql.transaction(db, c -> Sql.update(c, "DELETE FROM tags WHERE registry = ? AND repository = ? "
                + "AND name = ?", repo.registry(), repo.repository(), tag) > 0);
    }

    /** Every tag of the repository that points at the digest, in lexical order. */
    public List<String> tagsOf(RepositoryName repo, Digest digest) {
        return Sql.read(db, c -> Sql.query(c, "SELECT name FROM tags WHERE registry = ? AND repository = ? "
                + "AND digest = ? ORDER BY name" + collate, rs -> rs.getString(1), repo.registry(), repo.repository(),
                digest.toString()));
    }

    public java.util.Map<String, String> properties(RepositoryName repo, Digest digest) {
        return Sql.read(db, c -> {
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            Sql.query(c, "SELECT name, value FROM properties WHERE registry = ? AND repository = ? AND digest = ?",
                    rs -> out.put(rs.getString(1), rs.getString(2)), repo.registry(), repo.repository(),
                    digest.toString());
            return out;
        });
    }

    /** Sets (or, with a null value, removes) properties of a manifest the repository holds, in one transaction. */
    public void putProperties(RepositoryName repo, Digest digest, java.util.Map<String, String> properties) {
        Sql.transaction(db, c -> {
            for (java.util.Map.Entry<String, String> p : properties.entrySet()) {
                if (p.getValue() == null) {
                    Sql.update(c, "DELETE FROM properties WHERE registry = ? AND repository = ? AND digest = ? "
                            + "AND name = ?", repo.registry(), repo.repository(), digest.toString(), p.getKey());
                } else {
                    Rows.property(c, repo, digest.toString(), p.getKey(), p.getValue(), now());
                }
            }
            return null;
        });
    }

    // --- discovery --------------------------------------------------------------------------------------------

    public boolean repositoryExists(RepositoryName repo) {
        return Sql.read(db, c -> Sql.first(c, "SELECT 1 FROM repositories WHERE registry = ? AND name = ?",
                rs -> 1, repo.registry(), repo.repository()) != null);
    }

    /** Tags in lexical order after {@code last} (exclusive), at most {@code limit}. */
    public List<String> tags(RepositoryName repo, String last, int limit) {
        return Sql.read(db, c -> Sql.query(c, "SELECT name FROM tags WHERE registry = ? AND repository = ? "
                + "AND name" + collate + " > ? ORDER BY name" + collate + " LIMIT ?", rs -> rs.getString(1),
                repo.registry(), repo.repository(), last == null ? "" : last, limit));
    }

    /** Repository names ({@code registry/repository}) in lexical order after {@code last}, at most {@code limit}. */
    public List<String> catalog(String last, int limit) {
        return Sql.read(db, c -> Sql.query(c, "SELECT registry || '/' || name FROM repositories "
                + "WHERE (registry || '/' || name)" + collate + " > ? ORDER BY (registry || '/' || name)" + collate
                + " LIMIT ?",
                rs -> rs.getString(1), last == null ? "" : last, limit));
    }

    public List<Referrer> referrers(RepositoryName repo, Digest subject, String artifactType) {
        return Sql.read(db, c -> Sql.query(c, "SELECT m.digest, m.media_type, b.size, m.artifact_type, m.annotations "
                + "FROM repository_manifests rm JOIN manifests m ON m.digest = rm.digest "
                + "JOIN blobs b ON b.digest = m.digest WHERE rm.registry = ? AND rm.repository = ? AND m.subject = ? "
                + (artifactType == null ? "" : "AND m.artifact_type = ? ") + "ORDER BY m.digest" + collate,
                rs -> new Referrer(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)),
                artifactType == null
                        ? new Object[] {repo.registry(), repo.repository(), subject.toString()}
                        : new Object[] {repo.registry(), repo.repository(), subject.toString(), artifactType}));
    }

    // --- uploads ----------------------------------------------------------------------------------------------

    public void createUpload(String id, RepositoryName repo) {
        Sql.transaction(db, c -> Sql.update(c, "INSERT INTO uploads (id, registry, repository, started_at, "
                + "updated_at) VALUES (?, ?, ?, ?, ?)", id, repo.registry(), repo.repository(), now(), now()));
    }

    /** The repository an upload session belongs to, or null when there is no such session. */
    public RepositoryName uploadRepository(String id) {
        return Sql.read(db, c -> Sql.first(c, "SELECT registry, repository FROM uploads WHERE id = ?",
                rs -> new RepositoryName(rs.getString(1), rs.getString(2)), id));
    }

    public void touchUpload(String id) {
        Sql.transaction(db, c -> Sql.update(c, "UPDATE uploads SET updated_at = ? WHERE id = ?", now(), id));
    }

    public void deleteUpload(String id) {
        Sql.transaction(db, c -> Sql.update(c, "DELETE FROM uploads WHERE id = ?", id));
    }

    /** As the five-argument form, for bytes already in place. */
    public void completeUpload(String id, RepositoryName repo, Digest digest, long size) {
        completeUpload(id, repo, digest, size, () -> { });
    }

    /**
     * Completes an upload: the bytes are placed under the digest ({@code placeFile}), the blob recorded, linked into
     * the repository and the session closed, in one transaction that garbage collection cannot interleave with.
     */
    public void completeUpload(String id, RepositoryName repo, Digest digest, long size, Runnable placeFile) {
        Sql.referencing(db, c -> {
            placeFile.run();
            Rows.repository(c, repo, now());
            Rows.blob(c, digest.toString(), size, now());
            Rows.linkBlob(c, repo, digest.toString(), now());
            Sql.update(c, "DELETE FROM uploads WHERE id = ?", id);
            return null;
        });
    }

    /** An upload session as its limits see it: whose it is and when it started. */
    public record OpenUpload(RepositoryName repository, java.time.Instant startedAt) {
    }

    /** The open upload session with this id, or null. */
    public OpenUpload openUpload(String id) {
        return Sql.read(db, c -> Sql.first(c, "SELECT registry, repository, started_at FROM uploads WHERE id = ?",
                rs -> new OpenUpload(new RepositoryName(rs.getString(1), rs.getString(2)),
                        java.time.Instant.ofEpochMilli(rs.getLong(3))), id));
    }

    /**
     * Opens an upload session unless the repository already has {@code max} sessions started after {@code since}
     * (older ones have expired); false then. Count and insert are one statement: on SQLite, whose writers queue,
     * the limit is exact; on PostgreSQL two concurrent starts may both pass it by one.
     */
    public boolean createUploadWithin(String id, RepositoryName repo, int max, java.time.Instant since) {
        long now = now();
        return Sql.transaction(db, c -> Sql.update(c, "INSERT INTO uploads (id, registry, repository, started_at, "
                + "updated_at) SELECT ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM uploads WHERE registry = ? AND "
                + "repository = ? AND started_at > ?) < ?", id, repo.registry(), repo.repository(), now, now,
                repo.registry(), repo.repository(), since.toEpochMilli(), max) > 0);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private static long now() {
        return System.currentTimeMillis();
    }
}
