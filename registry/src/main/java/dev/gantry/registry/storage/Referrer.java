package dev.gantry.registry.storage;

/** A manifest whose subject is a given digest, as the referrers API lists it. */
public record Referrer(String digest, String mediaType, long size, String artifactType, String annotationsJson) {
}
