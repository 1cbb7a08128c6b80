package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.storage.PromotionRefusedException.Reason;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Promotion as metadata: in one transaction the target repository gains references to the manifest (an index's
 * children, and optionally the referrers), to every blob they need, the tags and the properties, and the promotion is
 * recorded. No blob byte is read or written, so the cost depends on the number of manifests and layers, never on
 * their size.
 */
public final class PromotionStore {
    private static final String COLUMNS = "id, repository, source, target, digest, tags, actor, promoted_at";

    private final Database db;

    public PromotionStore(Database db) {
        this.db = db;
    }

    /** Carries out the plan, or answers the first result recorded under its id (retries are idempotent). */
    public PromotionRecord promote(PromotionPlan plan) {
        PromotionRecord earlier = find(plan.id());
        if (earlier != null) {
            return earlier;
        }
        try {
            return Sql.referencing(db, c -> promote(c, plan));
        } catch (AlreadyRecorded e) {
            return find(plan.id()); // a concurrent request with the same id committed first
        }
    }

    private PromotionRecord promote(Connection c, PromotionPlan plan) throws SQLException {
        RepositoryName source = plan.source();
        RepositoryName target = plan.target();
        Digest digest = resolveSource(c, plan);
        Set<String> manifests = closure(c, source, digest.toString(), plan.withReferrers());
        Set<String> blobs = new LinkedHashSet<>();
        for (String manifest : manifests) {
            blobs.addAll(Sql.query(c, "SELECT child FROM manifest_references WHERE manifest = ? AND kind = 'blob'",
                    rs -> rs.getString(1), manifest));
        }
        for (String blob : blobs) {
            if (Sql.first(c, "SELECT 1 FROM repository_blobs WHERE registry = ? AND repository = ? AND digest = ?",
                    rs -> 1, source.registry(), source.repository(), blob) == null) {
                throw new PromotionRefusedException(Reason.SOURCE_UNKNOWN, source + " no longer holds blob " + blob
                        + " of " + digest + "; the image there is incomplete");
            }
        }

        long now = System.currentTimeMillis();
        Rows.repository(c, target, now);
        for (String blob : blobs) {
            Rows.linkBlob(c, target, blob, now);
        }
        for (String manifest : manifests) {
            Rows.linkBlob(c, target, manifest, now);
            Rows.holdManifest(c, target, manifest, now);
        }
        List<String> tags = plan.targetTags() != null ? plan.targetTags()
                : plan.tag() != null ? List.of(plan.tag()) : List.of();
        for (String tag : tags) {
            String current = Rows.tag(c, target, tag, digest.toString(), plan.immutableTags(), now);
            if (current != null) {
                throw new PromotionRefusedException(Reason.TAG_IMMUTABLE, "tag " + tag + " of " + target
                        + " is immutable and points at " + current);
            }
        }
        for (Map.Entry<String, String> property : plan.properties().entrySet()) {
            Rows.property(c, target, digest.toString(), property.getKey(), property.getValue(), now);
        }
        int recorded = Sql.update(c, "INSERT INTO promotions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (id) DO NOTHING", plan.id(), target.repository(), source.registry(),
                target.registry(), digest.toString(), String.join(",", tags), plan.actor(), now);
        if (recorded == 0) {
            throw new AlreadyRecorded();
        }
        return new PromotionRecord(plan.id(), target.repository(), source.registry(), target.registry(),
                digest.toString(), tags, plan.actor(), Instant.ofEpochMilli(now));
    }

    /** The digest to promote: as given (it must be in the source), or what the tag points at now. */
    private static Digest resolveSource(Connection c, PromotionPlan plan) throws SQLException {
        RepositoryName source = plan.source();
        if (plan.digest() != null) {
            if (Sql.first(c, "SELECT 1 FROM repository_manifests WHERE registry = ? AND repository = ? AND digest = ?",
                    rs -> 1, source.registry(), source.repository(), plan.digest().toString()) == null) {
                throw new PromotionRefusedException(Reason.SOURCE_UNKNOWN, source + " does not hold "
                        + plan.digest());
            }
            return plan.digest();
        }
        String current = Sql.first(c, "SELECT digest FROM tags WHERE registry = ? AND repository = ? AND name = ?",
                rs -> rs.getString(1), source.registry(), source.repository(), plan.tag());
        if (current == null) {
            throw new PromotionRefusedException(Reason.SOURCE_UNKNOWN, source + " has no tag " + plan.tag());
        }
        if (plan.expectedDigest() != null && !plan.expectedDigest().toString().equals(current)) {
            throw new PromotionRefusedException(Reason.DIGEST_MISMATCH, "tag " + plan.tag() + " of " + source
                    + " points at " + current + ", not the expected " + plan.expectedDigest());
        }
        return Digest.parse(current);
    }

    /** The manifest, an index's children, and (optionally) the referrers of each, as held by the source. */
    private static Set<String> closure(Connection c, RepositoryName source, String root, boolean withReferrers)
            throws SQLException {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            String manifest = todo.pop();
            if (!seen.add(manifest)) {
                continue;
            }
            todo.addAll(Sql.query(c, "SELECT child FROM manifest_references WHERE manifest = ? AND kind = 'manifest'",
                    rs -> rs.getString(1), manifest));
            if (withReferrers) {
                todo.addAll(Sql.query(c, "SELECT rm.digest FROM repository_manifests rm JOIN manifests m "
                        + "ON m.digest = rm.digest WHERE rm.registry = ? AND rm.repository = ? AND m.subject = ?",
                        rs -> rs.getString(1), source.registry(), source.repository(), manifest));
            }
        }
        return seen;
    }

    public PromotionRecord find(String id) {
        return Sql.read(db, c -> Sql.first(c, "SELECT " + COLUMNS + " FROM promotions WHERE id = ?",
                PromotionStore::record, id));
    }

    /** Promotions into a repository of a registry, newest first. */
    public List<PromotionRecord> intoRepository(String registry, String repository, int limit) {
        return Sql.read(db, c -> Sql.query(c, "SELECT " + COLUMNS + " FROM promotions WHERE target = ? AND "
                + "repository = ? ORDER BY promoted_at DESC, id LIMIT ?", PromotionStore::record, registry,
                repository, limit));
    }

    /** Where a digest has been promoted, oldest first: its path through the stages. */
    public List<PromotionRecord> ofDigest(String digest) {
        return Sql.read(db, c -> Sql.query(c, "SELECT " + COLUMNS + " FROM promotions WHERE digest = ? "
                + "ORDER BY promoted_at, id", PromotionStore::record, digest));
    }

    private static PromotionRecord record(ResultSet rs) throws SQLException {
        String tags = rs.getString(6);
        return new PromotionRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")), rs.getString(7),
                Instant.ofEpochMilli(rs.getLong(8)));
    }

    /** Rolls back a transaction that lost the race to record the same id. */
    private static final class AlreadyRecorded extends RuntimeException {
        AlreadyRecorded() {
            super(null, null, false, false);
        }
    }
}
