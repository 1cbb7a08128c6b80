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
import java.security.DigestInputStream;
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
    private final Map<String, CompletableFuture<Long>> inFlight = new ConcurrentHashMap<>();

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

    /**
     * The blob's size once the repository holds it (fetched and verified if needed); -1 when upstream lacks it.
     * Concurrent pulls of a blob not yet cached share one upstream read.
     */
    public long blob(RegistryDefinition registry, RepositoryName repo, Digest digest) {
        long size = metadata.blobSizeIn(repo, digest);
        if (size >= 0 && blobs.exists(digest)) {
            return size;
        }
        String key = repo + "@" + digest;
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            long fetched = fetchBlob(registry, repo, digest);
            mine.complete(fetched);
            return fetched;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private long fetchBlob(RegistryDefinition registry, RepositoryName repo, Digest digest) {
        try {
            Optional<InputStream> body = upstream.blob(registry.upstream(), repo.repository(), digest);
            if (body.isEmpty()) {
                return -1;
            }
            try (InputStream in = body.get()) {
                if (blobs.exists(digest)) {
                    // Stored for another repository: the upstream's answer proves this repository has it too.
                    long stored = Files.size(blobs.path(digest));
                    metadata.addBlob(repo, digest, stored);
                    return stored;
                }
                return download(repo, digest, in);
            }
        } catch (UpstreamClient.UnavailableException e) {
            throw unavailable(registry, e);
        } catch (IOException e) {
            throw OciError.UNKNOWN.exception(502, "fetching " + digest + " from " + registry.upstream().url()
                    + " failed: " + e.getMessage());
        }
    }

    private long download(RepositoryName repo, Digest digest, InputStream in) throws IOException {
        String id = UUID.randomUUID().toString();
        blobs.createUpload(id);
        Path staged = blobs.uploadPath(id);
        try {
            MessageDigest md = messageDigest(digest.algorithm());
            long size;
            try (InputStream hashing = new DigestInputStream(in, md); OutputStream out = Files.newOutputStream(staged)) {
                size = hashing.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(digest.encoded())) {
                throw OciError.UNKNOWN.exception(502, "upstream served content with digest " + digest.algorithm()
                        + ":" + actual + " for " + digest + "; not cached");
            }
            blobs.commitUpload(id, digest);
            metadata.addBlob(repo, digest, size);
            return size;
        } finally {
            blobs.deleteUpload(id);
        }
    }

    private StoredManifest store(RepositoryName repo, Digest digest, UpstreamClient.Manifest fetched, String tag) {
        ParsedManifest parsed = ManifestParser.parse(fetched.body(), fetched.mediaType());
        blobs.write(digest, fetched.body());
        // Referenced blobs are fetched when first pulled, so they are not required to be present here.
        metadata.putManifest(repo, new NewManifest(digest, parsed.mediaType(), fetched.body().length,
                parsed.artifactType(), parsed.subject(), parsed.annotationsJson(), parsed.blobs(),
                parsed.manifests()), tag);
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
