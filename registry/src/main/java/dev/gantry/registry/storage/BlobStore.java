package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Blob bytes on the file system, content-addressed ({@code blobs/<algorithm>/<2 hex>/<hex>}); see the package
 * documentation for the layout. A file appears under a digest only by an atomic rename after fsync, so a reader never
 * sees a partial blob and a crash never leaves one.
 */
public final class BlobStore {
    private final Path blobs;
    private final Path uploads;
    private final Path trash;

    public BlobStore(Path dataDir) {
        this.blobs = dataDir.resolve("blobs");
        this.uploads = dataDir.resolve("uploads");
        this.trash = dataDir.resolve("trash");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(uploads);
            Files.createDirectories(trash);
        } catch (IOException e) {
            throw new StorageException("cannot create " + blobs + ", " + uploads + " and " + trash, e);
        }
    }

    public Path path(Digest digest) {
        String hex = digest.encoded();
        return blobs.resolve(digest.algorithm()).resolve(hex.substring(0, 2)).resolve(hex);
    }

    public boolean exists(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The staging file of an upload session; ids are server-made UUIDs, never client text. */
    public Path uploadPath(String uploadId) {
        return uploads.resolve(UUID.fromString(uploadId).toString());
    }

    public void createUpload(String uploadId) {
        try {
            Files.createFile(uploadPath(uploadId));
        } catch (IOException e) {
            throw new StorageException("cannot create upload " + uploadId, e);
        }
    }

    public long uploadSize(String uploadId) {
        try {
            return Files.size(uploadPath(uploadId));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new StorageException("cannot read upload " + uploadId, e);
        }
    }

    public void deleteUpload(String uploadId) {
        try {
            Files.deleteIfExists(uploadPath(uploadId));
        } catch (IOException e) {
            throw new StorageException("cannot delete upload " + uploadId, e);
        }
    }

    /** Cuts an upload's staging file back to {@code size} bytes (a refused chunk leaves the session as it was). */
    public void truncateUpload(String uploadId, long size) {
        try (FileChannel file = FileChannel.open(uploadPath(uploadId), StandardOpenOption.WRITE)) {
            file.truncate(size);
        } catch (IOException e) {
            throw new StorageException("cannot roll back upload " + uploadId, e);
        }
    }

    /** Makes an upload's bytes durable before they are placed under their digest. */
    public void prepareUpload(String uploadId) {
        try {
            force(uploadPath(uploadId));
        } catch (IOException e) {
            throw new StorageException("cannot flush upload " + uploadId, e);
        }
    }

    /**
     * Moves a verified, {@linkplain #prepareUpload prepared} upload under its digest. When the blob is already stored
     * (another repository or registry has it), the upload is dropped instead: the bytes are identical by
     * construction. Callers run this inside the metadata transaction that records the blob.
     */
    public void placeUpload(String uploadId, Digest digest) {
        place(uploadPath(uploadId), digest);
    }

    /**
     * Writes small content (a manifest) to a durable staging file, to be {@linkplain #place placed} under its digest
     * inside the metadata transaction that records it; the caller deletes the staging file afterwards
     * ({@link #discard}), placed or not.
     */
    public Path stage(byte[] content) {
        Path staged = uploads.resolve("direct-" + UUID.randomUUID());
        try {
            Files.write(staged, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            return staged;
        } catch (IOException e) {
            discard(staged);
            throw new StorageException("cannot stage content", e);
        }
    }

    /** Moves a durable staging file under its digest, unless that digest is stored already. */
    public void place(Path staged, Digest digest) {
        try {
            if (exists(digest)) {
                Files.deleteIfExists(staged);
                return;
            }
            moveIntoPlace(staged, digest);
        } catch (IOException e) {
            throw new StorageException("cannot store blob " + digest, e);
        }
    }

    /** Deletes a staging file if it is still there. */
    public void discard(Path staged) {
        try {
            Files.deleteIfExists(staged);
        } catch (IOException ignored) {
            // a stray staging file is harmless; garbage collection removes it after the upload lifetime
        }
    }

    public byte[] read(Digest digest) {
        try {
            return Files.readAllBytes(path(digest));
        } catch (IOException e) {
            throw new StorageException("cannot read blob " + digest, e);
        }
    }

    public InputStream open(Digest digest) throws IOException {
        return Files.newInputStream(path(digest));
    }

    // --- garbage collection -----------------------------------------------------------------------------------

    /** A content file as found on disk. */
    public record StoredFile(Digest digest, long size) {
    }

    /**
     * Content files not modified since {@code cutoff}, in directory order; names that are not digests are skipped
     * (fsck reports them). The consumer may move the files it is given.
     */
    public void forEachStoredBefore(Instant cutoff, Consumer<StoredFile> consumer) {
        try (Stream<Path> files = Files.walk(blobs, 3)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Digest digest = digestOf(file);
                BasicFileAttributes attributes = attributes(file);
                if (digest != null && attributes != null
                        && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    consumer.accept(new StoredFile(digest, attributes.size()));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StorageException("cannot list " + blobs, e);
        }
    }

    /** Staging files in {@code uploads/} not modified since {@code cutoff}, with their sizes. */
    public Map<Path, Long> stagingFilesBefore(Instant cutoff) {
        Map<Path, Long> stale = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(uploads)) {
            for (Path file : files) {
                BasicFileAttributes attributes = attributes(file);
                if (attributes != null && attributes.isRegularFile()
                        && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    stale.put(file, attributes.size());
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + uploads, e);
        }
        return stale;
    }

    /**
     * Moves a blob's file out of the content tree into {@code trash/}, inside the transaction that deletes its rows:
     * after the commit it is {@linkplain #deleteTrashed deleted}, after a rollback {@linkplain #restore restored}.
     * False when there was no file.
     */
    public boolean trash(Digest digest) {
        try {
            Files.move(path(digest), trashPath(digest), StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StorageException("cannot move blob " + digest + " to the trash", e);
        }
    }

    public void restore(Digest digest) {
        try {
            Path target = path(digest);
            Files.createDirectories(target.getParent());
            Files.move(trashPath(digest), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            // nothing to restore
        } catch (IOException e) {
            throw new StorageException("cannot restore blob " + digest + " from the trash", e);
        }
    }

    /** Deletes a trashed file; answers its size (0 when it was not there). */
    public long deleteTrashed(Digest digest) {
        Path file = trashPath(digest);
        try {
            long size = Files.size(file);
            Files.delete(file);
            return size;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file, e);
        }
    }

    /** What a crash left in the trash: files whose deletion may not have committed. */
    public List<Digest> trashed() {
        List<Digest> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(trash)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                int dash = name.indexOf('-');
                try {
                    found.add(Digest.parse(name.substring(0, Math.max(dash, 0)) + ":" + name.substring(dash + 1)));
                } catch (RuntimeException e) {
                    Files.deleteIfExists(file); // not ours: the trash holds only digest-named files
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + trash, e);
        }
        return found;
    }

    private Path trashPath(Digest digest) {
        return trash.resolve(digest.algorithm() + "-" + digest.encoded());
    }

    private static Digest digestOf(Path file) {
        Path algorithm = file.getParent() == null ? null : file.getParent().getParent();
        if (algorithm == null || algorithm.getFileName() == null) {
            return null;
        }
        try {
            Digest digest = Digest.parse(algorithm.getFileName() + ":" + file.getFileName());
            return file.getParent().getFileName().toString().equals(digest.encoded().substring(0, 2)) ? digest : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null; // gone meanwhile
        }
    }

    private void moveIntoPlace(Path staged, Digest digest) throws IOException {
        Path target = path(digest);
        Files.createDirectories(target.getParent());
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(staged); // a concurrent upload of the same content won the race
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException("the data directory must be on one file system (atomic rename)", e);
        }
        force(target.getParent()); // make the rename itself durable
    }

    private static void force(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
