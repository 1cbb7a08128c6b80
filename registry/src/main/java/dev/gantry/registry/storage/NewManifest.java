package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.util.List;

/**
 * The facts of a parsed manifest that the metadata keeps.
 *
 * @param blobs     the config and layers it needs (image manifests)
 * @param manifests the child manifests it needs (indexes)
 */
public record NewManifest(Digest digest, String mediaType, long size, String artifactType, Digest subject,
        String annotationsJson, List<Digest> blobs, List<Digest> manifests) {
}
