package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.registry.storage.FsckProblem.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks that the store is whole: every file under {@code blobs/} hashes to its name and is recorded, every blob row
 * has its file, every manifest's blobs and child manifests are stored and held by each repository that holds the
 * manifest, and every tag points at a manifest its repository holds.
 *
 * <p>With {@code repair}, it repairs what metadata can repair, and reports each repair; it never deletes content. A
 * corrupt file is moved to {@code quarantine/<time of the run>/} (so that pushing the blob again stores it anew,
 * instead of being dropped as "already stored"), as is anything in {@code blobs/} not named by a digest. A verified
 * file without a row gets its row (garbage collection can then see it). A row with the wrong size gets the file's. A
 * repository that holds a manifest but not a stored blob or child manifest it needs, or a tag whose manifest it does
 * not hold, gets the reference back, as the push or promotion had made it. What is gone (a file, a blob that was
 * never stored) is reported, never papered over: only pushing the image again or a backup brings bytes back.
 *
 * <p>{@code uploads/} (staging), {@code trash/} (garbage collection's) and {@code quarantine/} are not content and are
 * not looked at. Symbolic links in {@code blobs/} are followed. Files are hashed as streams, so their size does not
 * matter. It can run beside live traffic; a push
 * in flight may then show up as an unrecorded blob (harmless: its row follows, or the repair wrote it first).
 */
public final class Fsck {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int PAGE = 1000;
    private static final int NAMED_HOLDERS = 5;

    private final Path dataDir;
    private final Path blobRoot;
    private final BlobStore blobs;
    private final Database db;
    private final AtomicBoolean running = new AtomicBoolean();

    public Fsck(Path dataDir, BlobStore blobs, Database db) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.blobRoot = this.dataDir.resolve("blobs");
        this.blobs = blobs;
        this.db = db;
    }

    /** Thrown when a run is asked for while another is in progress: two repairs must not move the same files. */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning() {
            super("fsck is already running", null, false, false);
        }
    }

    public FsckReport run(boolean repair) {
        if (!running.compareAndSet(false, true)) {
            throw new AlreadyRunning();
        }
        try {
            return new Run(repair).execute();
        } finally {
            running.set(false);
        }
    }

    /** One run's findings and counters. */
    private final class Run {
        private final boolean repair;
        private final List<FsckProblem> problems = new ArrayList<>();
        /** Digests whose file is corrupt, unreadable or missing: nothing may rely on them. */
        private final Set<String> unusable = new HashSet<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        private long blobsChecked;
        private long bytesHashed;
        private Path quarantine;

        Run(boolean repair) {
            this.repair = repair;
        }

        FsckReport execute() {
            long started = System.nanoTime();
            checkFiles();
            checkRows();
            checkReferences();
            checkTags(); // before the repositories: a tag's repaired manifest is then checked for its references
            checkRepositories();
            long manifests = count("manifests");
            long tags = count("tags");
            return new FsckReport(repair, blobsChecked, bytesHashed, manifests, tags,
                    (System.nanoTime() - started) / 1_000_000, List.copyOf(problems));
        }

        // --- blobs/: every file hashes to its name and is recorded ---------------------------------------------

        private void checkFiles() {
            if (!Files.isDirectory(blobRoot)) {
                return;
            }
            try {
                // Links are followed: blobs/, or part of it, may live on another disk. Moving a stray link to
                // quarantine/ moves the link, never what it points at.
                Files.walkFileTree(blobRoot, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                        new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        checkFile(file, attrs);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        problem(Kind.BLOB_UNREADABLE, relative(file), relative(file) + " cannot be read: " + e,
                                false, "not repairable by fsck: make it readable by the registry, then check again");
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot walk " + blobRoot, e);
            }
        }

        private void checkFile(Path file, BasicFileAttributes attrs) {
            Digest digest = digestNamed(file, attrs);
            if (digest == null) {
                stray(file, attrs);
                return;
            }
            String name = digest.toString();
            String actual;
            long size;
            try {
                long before = bytesHashed;
                actual = hash(file, digest.algorithm());
                size = bytesHashed - before;
            } catch (NoSuchFileException e) {
                return; // removed since the walk saw it (garbage collection): nothing left to check
            } catch (IOException e) {
                unusable.add(name);
                problem(Kind.BLOB_UNREADABLE, name, relative(file) + " cannot be read: " + e + holders(name), false,
                        "not repairable by fsck: make it readable by the registry, then check again");
                return;
            }
            blobsChecked++;
            if (!actual.equals(digest.encoded())) {
                corrupt(file, name, digest.algorithm() + ":" + actual, size);
                return;
            }
            Long recorded = Sql.read(db, c -> Sql.first(c, "SELECT size FROM blobs WHERE digest = ?",
                    rs -> rs.getLong(1), name));
            if (recorded == null) {
                String detail = relative(file) + " (" + size + " bytes, digest verified) has no row in blobs: what "
                        + "a push interrupted between storing the bytes and recording them leaves";
                if (repair) {
                    // As a push records its blob: beside garbage collection, which may be removing this very file.
                    boolean recordedNow = Sql.referencing(db, c -> {
                        if (!Files.isRegularFile(file)) {
                            return false;
                        }
                        Rows.blob(c, name, size, System.currentTimeMillis());
                        return true;
                    });
                    problem(Kind.BLOB_UNRECORDED, name, detail, recordedNow, recordedNow ? "recorded in blobs with "
                            + "its " + size + " bytes; garbage collection removes it if nothing comes to reference it"
                            : "not recorded: the file was removed meanwhile (garbage collection)");
                } else {
                    problem(Kind.BLOB_UNRECORDED, name, detail, false, "would record it in blobs");
                }
            } else if (recorded != size) {
                String detail = "blobs records " + recorded + " bytes, but " + relative(file) + " (digest verified) "
                        + "holds " + size;
                if (repair) {
                    Sql.transaction(db, c -> Sql.update(c, "UPDATE blobs SET size = ? WHERE digest = ?", size, name));
                    problem(Kind.BLOB_SIZE_MISMATCH, name, detail, true, "set the row's size to the file's " + size
                            + " bytes");
                } else {
                    problem(Kind.BLOB_SIZE_MISMATCH, name, detail, false, "would set the row's size to the file's "
                            + size + " bytes");
                }
            }
        }

        private void corrupt(Path file, String name, String actual, long size) {
            unusable.add(name);
            String detail = relative(file) + " holds " + size + " bytes hashing to " + actual + ", not to its name"
                    + holders(name);
            if (!repair) {
                problem(Kind.BLOB_CORRUPT, name, detail, false, "would move the file to quarantine/ (kept, not "
                        + "deleted), so that pushing the blob again stores it anew");
                return;
            }
            try {
                Path moved = quarantine(file);
                problem(Kind.BLOB_CORRUPT, name, detail, true, "moved to " + relative(moved) + " (kept, not "
                        + "deleted); the blob is missing now: push the image again or restore the blob from a backup");
            } catch (IOException e) {
                problem(Kind.BLOB_CORRUPT, name, detail, false, "could not move it to quarantine/: " + e);
            }
        }

        private void stray(Path file, BasicFileAttributes attrs) {
            String detail = relative(file) + " is not a blob: " + (attrs.isRegularFile()
                    ? "blobs/ holds only files named <algorithm>/<first two hex digits>/<hex digest>"
                    : "not a regular file");
            if (!repair) {
                problem(Kind.STRAY_FILE, relative(file), detail, false, "would move it to quarantine/ (kept, not "
                        + "deleted)");
                return;
            }
            try {
                problem(Kind.STRAY_FILE, relative(file), detail, true, "moved to " + relative(quarantine(file))
                        + " (kept, not deleted)");
            } catch (IOException e) {
                problem(Kind.STRAY_FILE, relative(file), detail, false, "could not move it to quarantine/: " + e);
            }
        }

        /** The digest a file is stored under, if it sits exactly where the blob store puts that digest. */
        private Digest digestNamed(Path file, BasicFileAttributes attrs) {
            Path name = blobRoot.relativize(file);
            if (!attrs.isRegularFile() || name.getNameCount() != 3) {
                return null;
            }
            try {
                Digest digest = new Digest(name.getName(0).toString(), name.getName(2).toString());
                return blobs.path(digest).toAbsolutePath().normalize().equals(file) ? digest : null;
            } catch (InvalidReferenceException e) {
                return null;
            }
        }

        private String hash(Path file, String algorithm) throws IOException {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance(Digest.SHA512.equals(algorithm) ? "SHA-512" : "SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                buffer.clear();
                while (channel.read(buffer) >= 0) {
                    buffer.flip();
                    bytesHashed += buffer.remaining();
                    md.update(buffer);
                    buffer.clear();
                }
            }
            return HexFormat.of().formatHex(md.digest());
        }

        /** Moves a file into this run's quarantine directory, keeping its path under blobs/; never overwrites. */
        private Path quarantine(Path file) throws IOException {
            if (quarantine == null) {
                quarantine = dataDir.resolve("quarantine").resolve(STAMP.format(Instant.now()));
            }
            Path target = quarantine.resolve(blobRoot.relativize(file).toString());
            for (int n = 1; Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
                target = target.resolveSibling(file.getFileName() + "." + n);
            }
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }

        // --- blob rows: every one has its file ---------------------------------------------------------------

        private void checkRows() {
            String last = "";
            while (true) {
                String after = last;
                List<String> page = Sql.read(db, c -> Sql.query(c, "SELECT digest FROM blobs WHERE digest > ? "
                        + "ORDER BY digest LIMIT ?", rs -> rs.getString(1), after, PAGE));
                for (String name : page) {
                    if (!unusable.contains(name) && !fileExists(name) && rowExists(name)) {
                        unusable.add(name);
                        problem(Kind.BLOB_FILE_MISSING, name, "blobs records it, but there is no file at "
                                + relative(blobPath(name)) + holders(name), false, "not repairable by fsck: the "
                                + "bytes are gone; push the image again (the registry no longer offers the blob, so "
                                + "clients upload it) or restore the file from a backup");
                    }
                }
                if (page.size() < PAGE) {
                    return;
                }
                last = page.getLast();
            }
        }

        private boolean fileExists(String name) {
            Path path = blobPath(name);
            return path != null && Files.isRegularFile(path);
        }

        private Path blobPath(String name) {
            try {
                return blobs.path(Digest.parse(name)).toAbsolutePath().normalize();
            } catch (InvalidReferenceException e) {
                return null;
            }
        }

        /** Checked again just before reporting, so a blob deleted meanwhile is not reported as lost. */
        private boolean rowExists(String name) {
            return Sql.read(db, c -> Sql.first(c, "SELECT 1 FROM blobs WHERE digest = ?", rs -> 1, name)) != null;
        }

        // --- manifests: what they reference is stored ------------------------------------------------------------

        private record Reference(String manifest, String child, String kind) {
        }

        private void checkReferences() {
            List<Reference> missing = new ArrayList<>(Sql.read(db, c -> Sql.query(c, "SELECT r.manifest, r.child, "
                    + "r.kind FROM manifest_references r WHERE (r.kind = 'blob' AND NOT EXISTS (SELECT 1 FROM blobs b "
                    + "WHERE b.digest = r.child)) OR (r.kind = 'manifest' AND NOT EXISTS (SELECT 1 FROM manifests m "
                    + "WHERE m.digest = r.child)) ORDER BY r.manifest, r.child",
                    rs -> new Reference(rs.getString(1), rs.getString(2), rs.getString(3)))));
            for (Reference r : missing) {
                problem(Kind.MANIFEST_REFERENCE_MISSING, r.manifest(), "references " + noun(r.kind()) + " "
                        + r.child() + ", which is not stored" + holders(r.manifest()), false, unrepairable());
            }
            for (String child : unusable.stream().sorted().toList()) {
                for (Reference r : Sql.read(db, c -> Sql.query(c, "SELECT manifest, child, kind FROM "
                        + "manifest_references WHERE child = ? ORDER BY manifest", rs -> new Reference(rs.getString(1),
                        rs.getString(2), rs.getString(3)), child))) {
                    problem(Kind.MANIFEST_REFERENCE_MISSING, r.manifest(), "references " + noun(r.kind()) + " "
                            + child + ", whose file is missing or damaged" + holders(r.manifest()), false,
                            unrepairable());
                }
            }
        }

        private static String unrepairable() {
            return "not repairable by fsck: push the image again or restore the missing content from a backup";
        }

        private static String noun(String kind) {
            return "manifest".equals(kind) ? "manifest" : "blob";
        }

        // --- tags: each points at a manifest its repository holds --------------------------------------------

        private void checkTags() {
            record Tag(String registry, String repository, String name, String digest) {
            }
            List<Tag> dangling = Sql.read(db, c -> Sql.query(c, "SELECT t.registry, t.repository, t.name, t.digest "
                    + "FROM tags t WHERE NOT EXISTS (SELECT 1 FROM repository_manifests rm WHERE rm.registry = "
                    + "t.registry AND rm.repository = t.repository AND rm.digest = t.digest) "
                    + "ORDER BY t.registry, t.repository, t.name",
                    rs -> new Tag(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))));
            for (Tag t : dangling) {
                RepositoryName repo = new RepositoryName(t.registry(), t.repository());
                String subject = repo + ":" + t.name();
                String detail = "points at " + t.digest() + ", which " + repo + " does not hold";
                if (!stored(t.digest(), "manifest")) {
                    problem(Kind.TAG_DANGLING, subject, detail, false, "not repairable by fsck: the manifest is not "
                            + "stored; push the image again, or delete the tag");
                } else if (repair) {
                    boolean placed = link(repo, t.digest(), "manifest");
                    problem(Kind.TAG_DANGLING, subject, detail, placed, placed ? "placed " + t.digest() + " in "
                            + repo + " again (the manifest is stored)" : "not placed: the manifest was removed "
                            + "meanwhile (garbage collection)");
                } else {
                    problem(Kind.TAG_DANGLING, subject, detail, false, "would place " + t.digest() + " in " + repo
                            + " again (the manifest is stored)");
                }
            }
        }

        // --- repositories: each holds what its manifests need ----------------------------------------------

        private record Gap(String registry, String repository, String manifest, String child, String kind) {
        }

        /**
         * Gaps whose content is stored: linking it back restores what the push or promotion had made. Gaps whose
         * content is not stored are reported by {@link #checkReferences()}. Repairs can place child manifests
         * whose own references then need checking, hence the loop.
         */
        private void checkRepositories() {
            Set<Gap> seen = new HashSet<>();
            boolean repairedAny;
            do {
                repairedAny = false;
                for (Gap gap : gaps()) {
                    if (!seen.add(gap) || !stored(gap.child(), gap.kind())) {
                        continue;
                    }
                    RepositoryName repo = new RepositoryName(gap.registry(), gap.repository());
                    String detail = switch (gap.kind()) {
                        case "self" -> repo + " holds the manifest but not its bytes (repository_blobs)";
                        case "manifest" -> repo + " holds it but not its child manifest " + gap.child();
                        default -> repo + " holds it but not its blob " + gap.child();
                    };
                    boolean childManifest = "manifest".equals(gap.kind());
                    boolean repaired = repair && link(repo, gap.child(), gap.kind());
                    repairedAny |= repaired;
                    String fix = childManifest
                            ? (repaired ? "placed" : "would place") + " the stored child manifest in "
                            : (repaired ? "linked" : "would link") + " the stored blob into ";
                    problem(Kind.MANIFEST_REFERENCE_MISSING, repo + "@" + gap.manifest(), detail, repaired,
                            repair && !repaired ? "not repaired: " + gap.child() + " was removed meanwhile (garbage "
                            + "collection)" : fix + repo + ", as the push had");
                }
            } while (repair && repairedAny);
        }

        private List<Gap> gaps() {
            return Sql.read(db, c -> Sql.query(c, "SELECT rm.registry, rm.repository, rm.digest, r.child, r.kind "
                    + "FROM repository_manifests rm JOIN manifest_references r ON r.manifest = rm.digest "
                    + "WHERE (r.kind = 'blob' AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.registry = "
                    + "rm.registry AND rb.repository = rm.repository AND rb.digest = r.child)) "
                    + "OR (r.kind = 'manifest' AND NOT EXISTS (SELECT 1 FROM repository_manifests x WHERE x.registry = "
                    + "rm.registry AND x.repository = rm.repository AND x.digest = r.child)) "
                    + "UNION ALL SELECT rm.registry, rm.repository, rm.digest, rm.digest, 'self' "
                    + "FROM repository_manifests rm WHERE NOT EXISTS (SELECT 1 FROM repository_blobs rb "
                    + "WHERE rb.registry = rm.registry AND rb.repository = rm.repository AND rb.digest = rm.digest) "
                    + "ORDER BY 1, 2, 3, 4",
                    rs -> new Gap(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5))));
        }

        /** Content that is recorded and whose file is whole. */
        private boolean stored(String digest, String kind) {
            if (unusable.contains(digest)) {
                return false;
            }
            String table = "manifest".equals(kind) ? "manifests" : "blobs";
            return Sql.read(db, c -> Sql.first(c, "SELECT 1 FROM " + table + " WHERE digest = ?", rs -> 1,
                    digest)) != null && fileExists(digest);
        }

        /**
         * Links stored content into a repository as a push does (a manifest is held, its bytes linked): in a
         * referencing transaction that checks it is still stored, since garbage collection may be removing it.
         * False when it is gone.
         */
        private boolean link(RepositoryName repo, String digest, String kind) {
            boolean manifest = "manifest".equals(kind);
            return Sql.referencing(db, c -> {
                if (Sql.first(c, "SELECT 1 FROM " + (manifest ? "manifests" : "blobs") + " WHERE digest = ?",
                        rs -> 1, digest) == null || !fileExists(digest)) {
                    return false;
                }
                long now = System.currentTimeMillis();
                Rows.linkBlob(c, repo, digest, now);
                if (manifest) {
                    Rows.holdManifest(c, repo, digest, now);
                }
                return true;
            });
        }

        // --- helpers -----------------------------------------------------------------------------------------

        /** "; held by dev/team/app, qa/team/app" — who is affected, for the operator reading the report. */
        private String holders(String digest) {
            List<String> names = Sql.read(db, c -> Sql.query(c, "SELECT registry, repository FROM repository_blobs "
                    + "WHERE digest = ? UNION SELECT registry, repository FROM repository_manifests WHERE digest = ? "
                    + "ORDER BY 1, 2", rs -> rs.getString(1) + "/" + rs.getString(2), digest, digest));
            if (names.isEmpty()) {
                return "; no repository holds it";
            }
            String shown = String.join(", ", names.subList(0, Math.min(NAMED_HOLDERS, names.size())));
            return "; held by " + shown + (names.size() > NAMED_HOLDERS ? " and " + (names.size() - NAMED_HOLDERS)
                    + " more" : "");
        }

        private long count(String table) {
            return Sql.read(db, c -> Sql.first(c, "SELECT COUNT(*) FROM " + table, rs -> rs.getLong(1)));
        }

        /** A path as the operator finds it: relative to the data directory, with '/'. */
        private String relative(Path path) {
            return path == null ? "(no path)" : dataDir.relativize(path).toString().replace('\\', '/');
        }

        private void problem(Kind kind, String subject, String detail, boolean repaired, String repairText) {
            problems.add(new FsckProblem(kind, subject, detail, repaired, repairText));
        }
    }
}
