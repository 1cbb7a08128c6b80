package dev.gantry.registry.oci;

import dev.gantry.api.reference.Digest;
import java.util.List;

/** What the registry needs to know of a manifest: its type, what it references, and its subject. */
public record ParsedManifest(String mediaType, List<Digest> blobs, List<Digest> manifests, Digest subject,
        String artifactType, String annotationsJson) {
}
