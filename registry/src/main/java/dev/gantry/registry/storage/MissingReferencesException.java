package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.util.List;

/** A manifest names blobs or child manifests its repository does not hold; nothing was stored. */
public class MissingReferencesException extends RuntimeException {
    private final List<Digest> missing;

    public MissingReferencesException(RepositoryName repo, List<Digest> missing) {
        super("repository " + repo + " does not hold " + missing);
        this.missing = List.copyOf(missing);
    }

    public List<Digest> missing() {
        return missing;
    }
}
