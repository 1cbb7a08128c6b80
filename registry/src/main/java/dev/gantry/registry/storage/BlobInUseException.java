package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;

/** A blob a manifest of the repository needs cannot be deleted from it; nothing was changed. */
public class BlobInUseException extends RuntimeException {
    private final String manifest;

    public BlobInUseException(RepositoryName repo, Digest blob, String manifest) {
        super("blob " + blob + " of " + repo + " is used by manifest " + manifest);
        this.manifest = manifest;
    }

    /** A manifest of the repository that needs the blob (or the blob is that manifest). */
    public String manifest() {
        return manifest;
    }
}
