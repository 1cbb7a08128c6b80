package dev.gantry.registry.service;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryType;
import dev.gantry.registry.remote.PullThroughCache;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.RepositoryName;
import java.nio.file.Path;
import java.util.List;

/**
 * Blob reads, mounts and deletes. A repository serves only blobs it holds: knowing a digest is not enough to read
 * another registry's content.
 */
public final class BlobService {
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Registries registries;
    private final PullThroughCache remote;

    public BlobService(MetadataStore metadata, BlobStore blobs, Registries registries, PullThroughCache remote) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.registries = registries;
        this.remote = remote;
    }

    /**
     * A blob to serve: a stored file, or (a Remote registry's first pull) a fetch from the upstream in progress,
     * whose staging file the client reads as it grows.
     */
    public record Located(Path path, long size, PullThroughCache.Fetch fetch) {
    }

    /** The blob, waiting for an upstream fetch to complete if there is one. */
    public Located find(List<RepositoryName> repos, Digest digest) {
        Located located = locate(repos, digest);
        if (located.fetch() == null) {
            return located;
        }
        try {
            return new Located(blobs.path(digest), located.fetch().done().join(), null);
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The blob, or the upstream fetch that is bringing it (first pull through a Remote registry). */
    public Located locate(List<RepositoryName> repos, Digest digest) {
        for (RepositoryName repo : repos) {
            RegistryDefinition registry = registries.find(repo.registry()).orElseThrow();
            if (registry.type() == RegistryType.Remote) {
                PullThroughCache.BlobState state = remote.locate(registry, repo, digest);
                if (state.fetch() != null) {
                    return new Located(null, state.fetch().expectedSize(), state.fetch());
                }
                if (state.cachedSize() >= 0) {
                    return new Located(blobs.path(digest), state.cachedSize(), null);
                }
            } else {
                long size = metadata.blobSizeIn(repo, digest);
                if (size >= 0 && blobs.exists(digest)) {
                    return new Located(blobs.path(digest), size, null);
                }
            }
        }
        throw OciError.BLOB_UNKNOWN.exception("blob " + digest + " not found in " + repos.getFirst());
    }

    /** Links a blob the source holds into the target; false (fall back to an upload) when the source lacks it. */
    public boolean mount(List<RepositoryName> sources, RepositoryName target, Digest digest) {
        for (RepositoryName source : sources) {
            if (blobs.exists(digest) && metadata.mountBlob(source, target, digest)) {
                return true;
            }
        }
        return false;
    }

    public void delete(RepositoryName repo, Digest digest) {
        boolean deleted;
        try {
            deleted = metadata.unlinkBlob(repo, digest);
        } catch (dev.gantry.registry.storage.BlobInUseException e) {
            throw OciError.DENIED.exception("blob " + digest + " is used by manifest " + e.manifest() + " in " + repo
                    + "; delete that manifest first (garbage collection then frees the blob)");
        }
        if (!deleted) {
            throw OciError.BLOB_UNKNOWN.exception("blob " + digest + " not found in " + repo);
        }
    }
}
