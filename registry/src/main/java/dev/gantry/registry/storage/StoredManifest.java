package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;

/** A manifest as a repository holds it: what to answer on GET, without reading the bytes. */
public record StoredManifest(Digest digest, String mediaType, long size) {
}
