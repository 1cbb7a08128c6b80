package dev.gantry.registry.storage;

/** A tag in a registry with immutable tags already points at another digest. */
public class TagImmutableException extends RuntimeException {
    private final String currentDigest;

    public TagImmutableException(RepositoryName repo, String tag, String currentDigest) {
        super("tag " + tag + " of " + repo + " is immutable and already points at " + currentDigest);
        this.currentDigest = currentDigest;
    }

    public String currentDigest() {
        return currentDigest;
    }
}
