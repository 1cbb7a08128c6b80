package dev.gantry.registry.service;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.RepositoryName;
import dev.gantry.registry.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upload sessions: a staging file per session, hashed while it is written (so completing a 1 GiB upload does not
 * read it again), verified against the client's digest and only then moved under that digest.
 */
public final class UploadService {
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Map<String, UploadHash> hashes = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final int openPerRepository;

    /**
     * @param lifetime          a session older than this is unknown to clients (garbage collection removes it)
     * @param openPerRepository how many unexpired sessions a repository may have open
     */
    public UploadService(MetadataStore metadata, BlobStore blobs, Duration lifetime, int openPerRepository) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.lifetime = lifetime;
        this.openPerRepository = openPerRepository;
    }

    public String start(RepositoryName repo) {
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        if (!metadata.createUploadWithin(id, repo, openPerRepository, Instant.now().minus(lifetime))) {
            blobs.deleteUpload(id);
            throw OciError.TOOMANYREQUESTS.exception("repository " + repo + " already has " + openPerRepository
                    + " open upload sessions (gantry.limits.open-uploads-per-repository): complete or cancel one "
                    + "(DELETE its Location), or wait until one is older than " + lifetime);
        }
        return id;
    }

    /**
     * Checks that the session exists, belongs to the repository in the URL and has not outlived the upload lifetime;
     * answers its current size.
     */
    public long size(String id, RepositoryName repo) {
        MetadataStore.OpenUpload open = isUuid(id) ? metadata.openUpload(id) : null;
        long size = open == null ? -1 : blobs.uploadSize(id);
        if (open == null || !open.repository().equals(repo) || size < 0) {
            throw OciError.BLOB_UPLOAD_UNKNOWN.exception("no upload " + id + " in " + repo);
        }
        if (open.startedAt().plus(lifetime).isBefore(Instant.now())) {
            throw OciError.BLOB_UPLOAD_UNKNOWN.exception("upload " + id + " started at " + open.startedAt()
                    + " and expired after " + lifetime + " (gantry.limits.upload-lifetime); start a new upload");
        }
        return size;
    }

    /**
     * The running hash of a session, positioned at the end of its staging file; taken exclusively by one request at a
     * time. Rebuilt from the file after a restart.
     */
    public UploadHash acquire(String id) {
        UploadHash hash = hashes.computeIfAbsent(id, k -> new UploadHash());
        if (!hash.tryAcquire()) {
            throw OciError.BLOB_UPLOAD_INVALID.exception("another request is writing to upload " + id);
        }
        long size = blobs.uploadSize(id);
        if (hash.bytes() != size) {
            try (InputStream in = Files.newInputStream(blobs.uploadPath(id))) {
                hash.reset();
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    hash.update(buffer, 0, n);
                }
            } catch (IOException e) {
                hash.release();
                throw new StorageException("cannot re-read upload " + id, e);
            }
        }
        return hash;
    }

    /** Verifies the digest and stores the blob; on a mismatch the session and its bytes are discarded. */
    public long complete(String id, RepositoryName repo, Digest expected, UploadHash hash) {
        long size = blobs.uploadSize(id);
        String actual = Digest.SHA256.equals(expected.algorithm()) ? hash.sha256Hex() : rehash(id, expected);
        if (!actual.equals(expected.encoded())) {
            cancel(id);
            throw OciError.DIGEST_INVALID.exception("upload " + id + " has digest " + expected.algorithm() + ":"
                    + actual + ", not " + expected + "; nothing was stored");
        }
        blobs.prepareUpload(id);
        metadata.completeUpload(id, repo, expected, size, () -> blobs.placeUpload(id, expected));
        hashes.remove(id);
        return size;
    }

    public void cancel(String id) {
        metadata.deleteUpload(id);
        blobs.deleteUpload(id);
        hashes.remove(id);
    }

    /** The sessions a request is writing to right now. */
    public Set<String> inProgress() {
        Set<String> held = new HashSet<>();
        hashes.forEach((id, hash) -> {
            if (hash.held()) {
                held.add(id);
            }
        });
        return held;
    }

    /**
     * Drops the running hashes of sessions that no longer exist (expired by garbage collection, or whose client
     * vanished after a failure), so abandoned sessions cost no memory.
     */
    public void forgetClosed() {
        hashes.entrySet().removeIf(e -> !e.getValue().held() && blobs.uploadSize(e.getKey()) < 0);
    }

    private String rehash(String id, Digest expected) {
        try (InputStream in = Files.newInputStream(blobs.uploadPath(id))) {
            MessageDigest md = MessageDigest.getInstance(expected.algorithm().equals(Digest.SHA512) ? "SHA-512"
                    : "SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new StorageException("cannot hash upload " + id, e);
        }
    }

    private static boolean isUuid(String id) {
        try {
            return UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
