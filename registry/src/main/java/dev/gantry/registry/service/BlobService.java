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

    public record Located(Path path, long size) {
    }

    public Located find(List<RepositoryName> repos, Digest digest) {
        for (RepositoryName repo : repos) {
            RegistryDefinition registry = registries.find(repo.registry()).orElseThrow();
            long size = registry.type() == RegistryType.Remote ? remote.blob(registry, repo, digest)
                    : metadata.blobSizeIn(repo, digest);
            if (size >= 0 && blobs.exists(digest)) {
                return new Located(blobs.path(digest), size);
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
        if (!metadata.unlinkBlob(repo, digest)) {
            throw OciError.BLOB_UNKNOWN.exception("blob " + digest + " not found in " + repo);
        }
    }
}
