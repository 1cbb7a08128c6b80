package dev.gantry.registry.remote;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.oci.ManifestParser;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.ParsedManifest;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.NewManifest;
import dev.gantry.registry.storage.RepositoryName;
import dev.gantry.registry.storage.StorageException;
import dev.gantry.registry.storage.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * A Remote registry's content: what is cached is served from the store; what is not is fetched from the upstream,
 * verified against its digest and cached. Digests never change, so they are cached for good; a tag is trusted for the
 * registry's freshness period, then asked again — and when the upstream cannot be reached, the cached tag is served.
 */
public final class PullThroughCache {
    private static final Logger LOG = Logger.getLogger(PullThroughCache.class);

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final UpstreamClient upstream;
    /** Fetches being started or running, by repository and digest. */
    private final Map<String, CompletableFuture<Fetch>> starts = new ConcurrentHashMap<>();

    public PullThroughCache(MetadataStore metadata, BlobStore blobs, UpstreamClient upstream) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.upstream = upstream;
    }

    /** The manifest by digest, from the cache or the upstream; null when neither has it. */
    public StoredManifest manifestByDigest(RegistryDefinition registry, RepositoryName repo, Digest digest) {
        StoredManifest cached = metadata.manifestByDigest(repo, digest);
        if (cached != null) {
            return cached;
        }
        try {
            Optional<UpstreamClient.Manifest> fetched = upstream.manifest(registry.upstream(), repo.repository(),
                    digest.toString());
            if (fetched.isEmpty()) {
                return null;
            }
            Digest actual = hash(fetched.get().body(), digest.algorithm());
            if (!actual.equals(digest)) {
                throw OciError.UNKNOWN.exception(502, "upstream " + registry.upstream().url() + " served " + actual
                        + " for " + digest + "; not cached");
            }
            return store(repo, digest, fetched.get(), null);
        } catch (UpstreamClient.UnavailableException e) {
            throw unavailable(registry, e);
        }
    }

    /** The manifest a tag points at: cached while fresh, else asked of the upstream (stale if it is down). */
    public StoredManifest manifestByTag(RegistryDefinition registry, RepositoryName repo, String tag) {
        MetadataStore.TaggedManifest cached = metadata.taggedManifest(repo, tag);
        Optional<Duration> freshness = registry.upstream().freshness();
        if (cached != null && (freshness.isEmpty()
                || cached.updatedAt().plus(freshness.get()).isAfter(Instant.now()))) {
            return cached.manifest();
        }
        try {
            return fetchTag(registry, repo, tag, cached);
        } catch (UpstreamClient.UnavailableException e) {
            if (cached != null) {
                LOG.warnf("serving cached %s:%s: %s", repo, tag, e.getMessage());
                return cached.manifest();
            }
            throw unavailable(registry, e);
        }
    }

    /**
     * Asks the upstream where a tag points now, whatever its freshness (e.g. after {@code Never}); answers the
     * manifest, or null when the upstream no longer has the tag.
     */
    public StoredManifest refresh(RegistryDefinition registry, RepositoryName repo, String tag) {
        try {
            return fetchTag(registry, repo, tag, metadata.taggedManifest(repo, tag));
        } catch (UpstreamClient.UnavailableException e) {
            throw unavailable(registry, e);
        }
    }

    /** A HEAD first: when the tag still points at the cached digest only its freshness is renewed. */
    private StoredManifest fetchTag(RegistryDefinition registry, RepositoryName repo, String tag,
            MetadataStore.TaggedManifest cached) throws UpstreamClient.UnavailableException {
        if (cached != null) {
            Optional<String> current = upstream.manifestDigest(registry.upstream(), repo.repository(), tag);
            if (current.isEmpty()) {
                return null;
            }
            if (current.get().equals(cached.manifest().digest().toString())) {
                metadata.touchTag(repo, tag);
                return cached.manifest();
            }
        }
        Optional<UpstreamClient.Manifest> fetched = upstream.manifest(registry.upstream(), repo.repository(), tag);
        if (fetched.isEmpty()) {
            return null;
        }
        return store(repo, hash(fetched.get().body(), Digest.SHA256), fetched.get(), tag);
    }

    /** A blob being fetched from the upstream into a staging file; clients read the file as it grows. */
    public static final class Fetch {
        private final Path staging;
        private final long expectedSize;
        private final AtomicLong written = new AtomicLong();
        private final CompletableFuture<Long> done = new CompletableFuture<>();

        Fetch(Path staging, long expectedSize) {
            this.staging = staging;
            this.expectedSize = expectedSize;
        }

        public Path staging() {
            return staging;
        }

        /** The length the upstream announced, or -1. */
        public long expectedSize() {
            return expectedSize;
        }

        public long written() {
            return written.get();
        }

        /** Completes with the size once the blob is verified and stored; fails if it could not be. */
        public CompletableFuture<Long> done() {
            return done;
        }

        synchronized void advanced(long bytes) {
            written.addAndGet(bytes);
            notifyAll();
        }

        synchronized void finished() {
            notifyAll();
        }

        /** Waits (briefly) for more bytes than {@code seen}, or the end. */
        public synchronized void awaitMore(long seen) throws InterruptedException {
            if (written.get() == seen && !done.isDone()) {
                wait(100);
            }
        }
    }

    /** Where a blob stands for a repository: cached (a size), being fetched, or not upstream either. */
    public record BlobState(long cachedSize, Fetch fetch) {
        static final BlobState ABSENT = new BlobState(-1, null);

        public boolean absent() {
            return cachedSize < 0 && fetch == null;
        }
    }

    /**
     * Finds a blob for a pull: cached, or being fetched now — started here, or joined when another pull already
     * started it, so concurrent pulls share one upstream read and are served while the blob is stored.
     */
    public BlobState locate(RegistryDefinition registry, RepositoryName repo, Digest digest) {
        long size = metadata.blobSizeIn(repo, digest);
        if (size >= 0 && blobs.exists(digest)) {
            return new BlobState(size, null);
        }
        String key = repo + "@" + digest;
        CompletableFuture<Fetch> mine = new CompletableFuture<>();
        CompletableFuture<Fetch> running = starts.putIfAbsent(key, mine);
        if (running != null) {
            Fetch fetch;
            try {
                fetch = running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            return fetch != null ? new BlobState(-1, fetch) : cachedOrAbsent(repo, digest);
        }
        try {
            Fetch fetch = start(registry, repo, digest, key);
            mine.complete(fetch);
            if (fetch == null) {
                starts.remove(key, mine);
                return cachedOrAbsent(repo, digest);
            }
            return new BlobState(-1, fetch);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            starts.remove(key, mine);
            throw e;
        }
    }

    /** The blob's size once the repository holds it (waiting for a fetch); -1 when the upstream lacks it. */
    public long blob(RegistryDefinition registry, RepositoryName repo, Digest digest) {
        BlobState state = locate(registry, repo, digest);
        if (state.fetch() == null) {
            return state.cachedSize();
        }
        try {
            return state.fetch().done().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private BlobState cachedOrAbsent(RepositoryName repo, Digest digest) {
        long size = metadata.blobSizeIn(repo, digest);
        return size >= 0 && blobs.exists(digest) ? new BlobState(size, null) : BlobState.ABSENT;
    }

    /** Opens the upstream; null when it lacks the blob or the store already had it (now linked). */
    private Fetch start(RegistryDefinition registry, RepositoryName repo, Digest digest, String key) {
        Optional<UpstreamClient.Blob> body;
        try {
            body = upstream.blob(registry.upstream(), repo.repository(), digest);
        } catch (UpstreamClient.UnavailableException e) {
            throw unavailable(registry, e);
        }
        if (body.isEmpty()) {
            return null;
        }
        if (blobs.exists(digest) && linkStored(repo, digest)) {
            // Stored for another repository: the upstream's answer proves this repository has it too.
            closeQuietly(body.get().body());
            return null;
        }
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        Fetch fetch = new Fetch(blobs.uploadPath(id), body.get().length());
        Thread.ofVirtual().name("fetch-" + digest.encoded().substring(0, 12)).start(() -> {
            try (InputStream in = body.get().body()) {
                fetch.done().complete(copy(id, fetch, repo, digest, in));
            } catch (Exception e) {
                LOG.warnf("fetching %s for %s from %s failed: %s", digest, repo, registry.upstream().url(),
                        e.getMessage());
                fetch.done().completeExceptionally(e instanceof RuntimeException r ? r
                        : OciError.UNKNOWN.exception(502, "fetching " + digest + " failed: " + e.getMessage()));
            } finally {
                blobs.deleteUpload(id);
                starts.remove(key);
                fetch.finished();
            }
        });
        return fetch;
    }

    /** Links a blob stored for another repository; false when garbage collection took its file meanwhile. */
    private boolean linkStored(RepositoryName repo, Digest digest) {
        try {
            long size = Files.size(blobs.path(digest));
            metadata.addBlob(repo, digest, size, () -> {
                if (!blobs.exists(digest)) { // checked again inside the transaction that links it
                    throw new StorageException("blob " + digest + " was collected meanwhile", null);
                }
            });
            return true;
        } catch (IOException | StorageException e) {
            return false;
        }
    }

    private long copy(String id, Fetch fetch, RepositoryName repo, Digest digest, InputStream in) throws IOException {
        MessageDigest md = messageDigest(digest.algorithm());
        long size = 0;
        try (OutputStream out = Files.newOutputStream(fetch.staging())) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
                out.write(buffer, 0, n);
                out.flush();
                size += n;
                fetch.advanced(n);
            }
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(digest.encoded())) {
            throw OciError.UNKNOWN.exception(502, "upstream served content with digest " + digest.algorithm() + ":"
                    + actual + " for " + digest + "; not cached");
        }
        blobs.prepareUpload(id);
        metadata.addBlob(repo, digest, size, () -> blobs.placeUpload(id, digest));
        return size;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // abandoned response
        }
    }

    private StoredManifest store(RepositoryName repo, Digest digest, UpstreamClient.Manifest fetched, String tag) {
        ParsedManifest parsed = ManifestParser.parse(fetched.body(), fetched.mediaType());
        java.nio.file.Path staged = blobs.stage(fetched.body());
        try {
            // Referenced blobs are fetched when first pulled, so they are not required to be present here.
            metadata.cacheManifest(repo, new NewManifest(digest, parsed.mediaType(), fetched.body().length,
                    parsed.artifactType(), parsed.subject(), parsed.annotationsJson(), parsed.blobs(),
                    parsed.manifests()), tag, () -> blobs.place(staged, digest));
        } finally {
            blobs.discard(staged);
        }
        return new StoredManifest(digest, parsed.mediaType(), fetched.body().length);
    }

    private static RuntimeException unavailable(RegistryDefinition registry, Exception e) {
        return OciError.UNKNOWN.exception(502, "registry " + registry.name() + " cannot reach its upstream and has "
                + "no cached copy: " + e.getMessage());
    }

    private static Digest hash(byte[] body, String algorithm) {
        return new Digest(algorithm, HexFormat.of().formatHex(messageDigest(algorithm).digest(body)));
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(Digest.SHA512.equals(algorithm) ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new StorageException("no " + algorithm, e);
        }
    }
}
