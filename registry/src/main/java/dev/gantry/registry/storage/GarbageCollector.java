package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Online garbage collection: the registry keeps serving while it runs.
 *
 * <ol>
 * <li>Per repository ({@link RepositorySweep}): untagged, unpromoted manifests past their registry's retention stop
 * being held; links to blobs no kept manifest needs, older than the grace period, are dropped; a repository left with
 * nothing goes.</li>
 * <li>Blobs no repository links or holds any more lose their rows, and their files go.</li>
 * <li>Content files without a row (a push that crashed before its commit), older than the grace period, go.</li>
 * <li>Upload sessions older than the upload lifetime, and staging files no open session owns, go.</li>
 * </ol>
 * Safety against concurrent writers is transactional: each decision is made from rows read inside the transaction
 * that applies it, and that transaction excludes every writer that adds references ({@link Sql#sweeping}), while
 * writers check what they reference and place their files inside their own transaction ({@link Sql#referencing}).
 * A file is moved to {@code trash/} inside the deleting transaction and deleted after its commit (restored after a
 * rollback), so a crash at any point leaves either the rows with their file or neither; {@link #recoverTrash} settles
 * what a crash left in the trash.
 */
public final class GarbageCollector {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);
    private static final int BATCH = 500;
    /** Manifests named one by one in a report; the counts are always complete. */
    private static final int LISTED = 1000;

    private final Database db;
    private final BlobStore blobs;

    public GarbageCollector(Database db, BlobStore blobs) {
        this.db = db;
        this.blobs = blobs;
    }

    /**
     * What to collect.
     *
     * @param untaggedRetention per registry name, how long untagged manifests are kept (registries without an entry
     *     keep them forever); never shorter than the grace period in effect
     * @param uploadsInProgress sessions a request is writing to right now: spared even past their lifetime (the
     *     lifetime is checked when a request starts; one that started in time may finish)
     */
    public record Policy(Instant now, Duration gracePeriod, Duration uploadLifetime,
            Map<String, Duration> untaggedRetention, Set<String> uploadsInProgress) {
        public Policy(Instant now, Duration gracePeriod, Duration uploadLifetime,
                Map<String, Duration> untaggedRetention) {
            this(now, gracePeriod, uploadLifetime, untaggedRetention, Set.of());
        }
    }

    /**
     * What a run removed (or, in a dry run, would remove).
     *
     * @param manifests the removed manifests as {@code registry/repository@digest}, at most 1000
     */
    public record Report(boolean dryRun, Instant startedAt, long durationMillis, long manifestsRemoved,
            List<String> manifests, long repositoryLinksRemoved, long repositoriesRemoved, long blobsRemoved,
            long blobBytesFreed, long strayFilesRemoved, long strayBytesFreed, long uploadsExpired,
            long uploadBytesFreed, long bytesFreed) {
    }

    /** Runs one collection. Callers run one at a time (the registry's {@code GarbageCollection} sees to it). */
    public Report collect(Policy policy, boolean dryRun) {
        long started = System.nanoTime();
        if (!dryRun) {
            recoverTrash();
        }
        long linkCutoff = policy.now().minus(policy.gracePeriod()).toEpochMilli();
        Tally tally = new Tally();
        for (RepositoryName repo : repositories()) {
            Duration retention = policy.untaggedRetention().get(repo.registry());
            long manifestCutoff = retention == null ? Long.MIN_VALUE
                    : policy.now().minus(max(retention, policy.gracePeriod())).toEpochMilli();
            RepositorySweep.Decision decision = dryRun
                    ? Sql.read(db, c -> RepositorySweep.decide(holdings(c, repo), manifestCutoff, linkCutoff))
                    : Sql.sweeping(db, c -> apply(c, repo,
                            RepositorySweep.decide(holdings(c, repo), manifestCutoff, linkCutoff)));
            tally.add(repo, decision);
        }
        if (dryRun) {
            countFreedBlobs(tally);
        } else {
            sweepBlobs(tally);
        }
        sweepStrayFiles(policy.now().minus(policy.gracePeriod()), dryRun, tally);
        expireUploads(policy.now().minus(policy.uploadLifetime()), policy.uploadsInProgress(), dryRun, tally);
        Report report = tally.report(dryRun, policy.now(), (System.nanoTime() - started) / 1_000_000);
        LOG.infof("garbage collection%s: %d manifests, %d links, %d repositories, %d blobs (%d bytes), %d stray "
                + "files (%d bytes), %d uploads (%d bytes); %d ms", dryRun ? " (dry run)" : "",
                report.manifestsRemoved(), report.repositoryLinksRemoved(), report.repositoriesRemoved(),
                report.blobsRemoved(), report.blobBytesFreed(), report.strayFilesRemoved(), report.strayBytesFreed(),
                report.uploadsExpired(), report.uploadBytesFreed(), report.durationMillis());
        return report;
    }

    /**
     * Settles files a crash left in {@code trash/}: one whose row is still there was being deleted by a transaction
     * that never committed and goes back; one without a row goes. Run before serving and before each collection.
     */
    public void recoverTrash() {
        List<Digest> trashed = blobs.trashed();
        if (trashed.isEmpty()) {
            return;
        }
        Sql.sweeping(db, c -> {
            for (Digest digest : trashed) {
                if (recorded(c, digest.toString())) {
                    blobs.restore(digest);
                    LOG.infof("restored %s from the trash: its deletion never committed", digest);
                } else {
                    blobs.deleteTrashed(digest);
                }
            }
            return null;
        });
    }

    // --- repositories -----------------------------------------------------------------------------------------

    private List<RepositoryName> repositories() {
        return Sql.read(db, c -> Sql.query(c, "SELECT registry, name FROM repositories ORDER BY registry, name",
                rs -> new RepositoryName(rs.getString(1), rs.getString(2))));
    }

    private static RepositorySweep.Holdings holdings(Connection c, RepositoryName repo) throws SQLException {
        Object[] key = {repo.registry(), repo.repository()};
        Map<String, Long> manifests = new LinkedHashMap<>();
        Sql.query(c, "SELECT digest, created_at FROM repository_manifests WHERE registry = ? AND repository = ?",
                rs -> manifests.put(rs.getString(1), rs.getLong(2)), key);
        Set<String> tagged = new HashSet<>(Sql.query(c, "SELECT digest FROM tags WHERE registry = ? AND "
                + "repository = ?", rs -> rs.getString(1), key));
        Set<String> promoted = new HashSet<>(Sql.query(c, "SELECT digest FROM promotions WHERE target = ? AND "
                + "repository = ?", rs -> rs.getString(1), key));
        Map<String, List<String>> childManifests = new HashMap<>();
        Map<String, List<String>> childBlobs = new HashMap<>();
        Sql.query(c, "SELECT mr.manifest, mr.child, mr.kind FROM repository_manifests rm JOIN manifest_references mr "
                + "ON mr.manifest = rm.digest WHERE rm.registry = ? AND rm.repository = ?", rs -> {
                    Map<String, List<String>> into = "manifest".equals(rs.getString(3)) ? childManifests : childBlobs;
                    return into.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }, key);
        Map<String, List<String>> referrers = new HashMap<>();
        Sql.query(c, "SELECT m.subject, m.digest FROM repository_manifests rm JOIN manifests m ON m.digest = rm.digest "
                + "WHERE rm.registry = ? AND rm.repository = ? AND m.subject IS NOT NULL",
                rs -> referrers.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2)), key);
        Map<String, Long> links = new LinkedHashMap<>();
        Sql.query(c, "SELECT digest, created_at FROM repository_blobs WHERE registry = ? AND repository = ?",
                rs -> links.put(rs.getString(1), rs.getLong(2)), key);
        Long created = Sql.first(c, "SELECT created_at FROM repositories WHERE registry = ? AND name = ?",
                rs -> rs.getLong(1), key);
        long otherRows = tagged.isEmpty() ? 0 : 1;
        otherRows += Sql.first(c, "SELECT COUNT(*) FROM uploads WHERE registry = ? AND repository = ?",
                rs -> rs.getLong(1), key);
        return new RepositorySweep.Holdings(manifests, tagged, promoted, childManifests, childBlobs, referrers, links,
                created == null ? Long.MAX_VALUE : created, otherRows);
    }

    private static RepositorySweep.Decision apply(Connection c, RepositoryName repo, RepositorySweep.Decision d)
            throws SQLException {
        for (String manifest : d.manifests()) {
            Sql.update(c, "DELETE FROM properties WHERE registry = ? AND repository = ? AND digest = ?",
                    repo.registry(), repo.repository(), manifest);
            Sql.update(c, "DELETE FROM repository_manifests WHERE registry = ? AND repository = ? AND digest = ?",
                    repo.registry(), repo.repository(), manifest);
        }
        for (String link : d.links()) {
            Sql.update(c, "DELETE FROM repository_blobs WHERE registry = ? AND repository = ? AND digest = ?",
                    repo.registry(), repo.repository(), link);
        }
        if (d.repository()) {
            Sql.update(c, "DELETE FROM properties WHERE registry = ? AND repository = ?", repo.registry(),
                    repo.repository());
            Sql.update(c, "DELETE FROM repositories WHERE registry = ? AND name = ?", repo.registry(),
                    repo.repository());
        }
        return d;
    }

    // --- blobs ------------------------------------------------------------------------------------------------

    /** Blobs nothing links, holds or tags: garbage by definition (rows are only written with their links). */
    private static final String UNREFERENCED = "SELECT b.digest, b.size FROM blobs b WHERE "
            + "NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest) AND "
            + "NOT EXISTS (SELECT 1 FROM repository_manifests rm WHERE rm.digest = b.digest) AND "
            + "NOT EXISTS (SELECT 1 FROM tags t WHERE t.digest = b.digest)";

    private record Sized(String digest, long size) {
    }

    private void sweepBlobs(Tally tally) {
        while (true) {
            List<Digest> trashed = new ArrayList<>();
            List<Sized> removed;
            try {
                removed = Sql.sweeping(db, c -> {
                    List<Sized> batch = Sql.query(c, UNREFERENCED + " LIMIT " + BATCH,
                            rs -> new Sized(rs.getString(1), rs.getLong(2)));
                    for (Sized blob : batch) {
                        Sql.update(c, "DELETE FROM manifest_references WHERE manifest = ?", blob.digest());
                        Sql.update(c, "DELETE FROM manifests WHERE digest = ?", blob.digest());
                        Sql.update(c, "DELETE FROM blobs WHERE digest = ?", blob.digest());
                        Digest digest = Digest.parse(blob.digest());
                        if (blobs.trash(digest)) {
                            trashed.add(digest);
                        }
                    }
                    return batch;
                });
            } catch (RuntimeException e) {
                trashed.forEach(blobs::restore);
                throw e;
            }
            trashed.forEach(blobs::deleteTrashed);
            for (Sized blob : removed) {
                tally.blobs++;
                tally.blobBytes += blob.size();
            }
            if (removed.size() < BATCH) {
                return;
            }
        }
    }

    /** In a dry run: the blobs that would have no link, holding or tag left once the repository sweeps applied. */
    private void countFreedBlobs(Tally tally) {
        Sql.read(db, c -> {
            for (Sized blob : Sql.query(c, UNREFERENCED, rs -> new Sized(rs.getString(1), rs.getLong(2)))) {
                tally.blobs++;
                tally.blobBytes += blob.size();
            }
            Set<String> touched = new HashSet<>(tally.linksByDigest.keySet());
            touched.addAll(tally.holdingsByDigest.keySet());
            for (String digest : touched) {
                long links = Sql.first(c, "SELECT COUNT(*) FROM repository_blobs WHERE digest = ?", rs -> rs.getLong(1),
                        digest);
                long holdings = Sql.first(c, "SELECT COUNT(*) FROM repository_manifests WHERE digest = ?",
                        rs -> rs.getLong(1), digest);
                long tags = Sql.first(c, "SELECT COUNT(*) FROM tags WHERE digest = ?", rs -> rs.getLong(1), digest);
                Long size = Sql.first(c, "SELECT size FROM blobs WHERE digest = ?", rs -> rs.getLong(1), digest);
                if (size != null && (links + holdings) > 0 && tags == 0
                        && links == tally.linksByDigest.getOrDefault(digest, 0L)
                        && holdings == tally.holdingsByDigest.getOrDefault(digest, 0L)) {
                    tally.blobs++;
                    tally.blobBytes += size;
                }
            }
            return null;
        });
    }

    // --- stray content files ------------------------------------------------------------------------------------

    /** Content files without a row, older than the grace period: pushes that crashed before their commit. */
    private void sweepStrayFiles(Instant cutoff, boolean dryRun, Tally tally) {
        List<BlobStore.StoredFile> batch = new ArrayList<>();
        blobs.forEachStoredBefore(cutoff, file -> {
            batch.add(file);
            if (batch.size() == BATCH) {
                sweepStrayBatch(batch, dryRun, tally);
                batch.clear();
            }
        });
        sweepStrayBatch(batch, dryRun, tally);
    }

    private void sweepStrayBatch(List<BlobStore.StoredFile> files, boolean dryRun, Tally tally) {
        if (files.isEmpty()) {
            return;
        }
        if (dryRun) {
            Sql.read(db, c -> {
                for (BlobStore.StoredFile file : files) {
                    if (!recorded(c, file.digest().toString())) {
                        tally.strays++;
                        tally.strayBytes += file.size();
                    }
                }
                return null;
            });
            return;
        }
        List<Digest> trashed = new ArrayList<>();
        try {
            Sql.sweeping(db, c -> {
                for (BlobStore.StoredFile file : files) {
                    if (!recorded(c, file.digest().toString()) && blobs.trash(file.digest())) {
                        trashed.add(file.digest());
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            trashed.forEach(blobs::restore);
            throw e;
        }
        for (Digest digest : trashed) {
            tally.strays++;
            tally.strayBytes += blobs.deleteTrashed(digest);
            LOG.infof("removed %s: a content file without a row (a push that never committed)", digest);
        }
    }

    private static boolean recorded(Connection c, String digest) throws SQLException {
        return Sql.first(c, "SELECT 1 FROM blobs WHERE digest = ?", rs -> 1, digest) != null;
    }

    // --- uploads ----------------------------------------------------------------------------------------------

    /** Upload sessions past their lifetime, and staging files (of no open session) older than it. */
    private void expireUploads(Instant cutoff, Set<String> inProgress, boolean dryRun, Tally tally) {
        List<String> expired = Sql.read(db, c -> Sql.query(c, "SELECT id FROM uploads WHERE started_at < ?",
                rs -> rs.getString(1), cutoff.toEpochMilli()));
        expired.removeAll(inProgress);
        for (String id : expired) {
            long size = Math.max(0, blobs.uploadSize(id));
            if (!dryRun) {
                Sql.transaction(db, c -> Sql.update(c, "DELETE FROM uploads WHERE id = ?", id));
                blobs.deleteUpload(id);
            }
            tally.uploads++;
            tally.uploadBytes += size;
        }
        // Open sessions (in a dry run still including the expired ones, whose files were counted above).
        Set<String> open = new HashSet<>(Sql.read(db, c -> Sql.query(c, "SELECT id FROM uploads",
                rs -> rs.getString(1))));
        for (Map.Entry<java.nio.file.Path, Long> file : blobs.stagingFilesBefore(cutoff).entrySet()) {
            String name = file.getKey().getFileName().toString();
            if (open.contains(name) || inProgress.contains(name)) {
                continue;
            }
            if (!dryRun) {
                blobs.discard(file.getKey());
            }
            tally.strays++;
            tally.strayBytes += file.getValue();
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Running counts of one collection. */
    private static final class Tally {
        long manifests;
        final List<String> listed = new ArrayList<>();
        long links;
        long repositories;
        long blobs;
        long blobBytes;
        long strays;
        long strayBytes;
        long uploads;
        long uploadBytes;
        /** Dry run: per digest, how many links and holdings the repository sweeps would remove. */
        final Map<String, Long> linksByDigest = new HashMap<>();
        final Map<String, Long> holdingsByDigest = new HashMap<>();

        void add(RepositoryName repo, RepositorySweep.Decision d) {
            manifests += d.manifests().size();
            for (String manifest : d.manifests()) {
                if (listed.size() < LISTED) {
                    listed.add(repo + "@" + manifest);
                }
                holdingsByDigest.merge(manifest, 1L, Long::sum);
            }
            links += d.links().size();
            d.links().forEach(link -> linksByDigest.merge(link, 1L, Long::sum));
            repositories += d.repository() ? 1 : 0;
        }

        Report report(boolean dryRun, Instant startedAt, long millis) {
            return new Report(dryRun, startedAt, millis, manifests, List.copyOf(listed), links, repositories, blobs,
                    blobBytes, strays, strayBytes, uploads, uploadBytes, blobBytes + strayBytes + uploadBytes);
        }
    }
}
