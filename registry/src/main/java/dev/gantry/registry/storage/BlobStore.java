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
import java.util.UUID;

/**
 * Blob bytes on the file system, content-addressed ({@code blobs/<algorithm>/<2 hex>/<hex>}); see the package
 * documentation for the layout. A file appears under a digest only by an atomic rename after fsync, so a reader never
 * sees a partial blob and a crash never leaves one.
 */
public final class BlobStore {
    private final Path blobs;
    private final Path uploads;

    public BlobStore(Path dataDir) {
        this.blobs = dataDir.resolve("blobs");
        this.uploads = dataDir.resolve("uploads");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(uploads);
        } catch (IOException e) {
            throw new StorageException("cannot create " + blobs + " and " + uploads, e);
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

    /**
     * Moves a verified upload under its digest. When the blob is already stored (another repository or registry has
     * it), the upload is dropped instead: the bytes are identical by construction.
     */
    public void commitUpload(String uploadId, Digest digest) {
        Path staged = uploadPath(uploadId);
        try {
            if (exists(digest)) {
                Files.deleteIfExists(staged);
                return;
            }
            force(staged);
            moveIntoPlace(staged, digest);
        } catch (IOException e) {
            throw new StorageException("cannot store blob " + digest, e);
        }
    }

    /** Stores small content (a manifest) under its digest, with the same guarantees as an upload. */
    public void write(Digest digest, byte[] content) {
        if (exists(digest)) {
            return;
        }
        Path staged = uploads.resolve("direct-" + UUID.randomUUID());
        try {
            Files.write(staged, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            moveIntoPlace(staged, digest);
        } catch (IOException e) {
            throw new StorageException("cannot store blob " + digest, e);
        } finally {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException ignored) {
                // a stray staging file is harmless; upload expiry removes it
            }
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
