package dev.gantry.registry.storage;

/**
 * One inconsistency {@link Fsck} found.
 *
 * @param kind     what is wrong
 * @param subject  what it is wrong with: a digest, {@code registry/repository@digest}, {@code registry/repository:tag}
 *                 or a path under the data directory
 * @param detail   what was found, readably
 * @param repaired whether this run repaired it
 * @param repair   what the repair did; or, when not repaired, what it would do ({@code ?repair=true}) or why fsck
 *                 cannot repair it and what will
 */
public record FsckProblem(Kind kind, String subject, String detail, boolean repaired, String repair) {

    public enum Kind {
        /** A file under a digest whose content hashes to something else (a partial or damaged blob). */
        BLOB_CORRUPT,
        /** A file under a digest that cannot be read. */
        BLOB_UNREADABLE,
        /** A blob row without its file: the content is gone. */
        BLOB_FILE_MISSING,
        /** A verified file that no blob row records (an interrupted push leaves one). */
        BLOB_UNRECORDED,
        /** A blob row whose size is not its verified file's. */
        BLOB_SIZE_MISMATCH,
        /** Something in {@code blobs/} that is not a file named by its digest. */
        STRAY_FILE,
        /**
         * A manifest needs something that is not there: a blob or child manifest that is not stored at all, or
         * one that a repository holding the manifest does not hold.
         */
        MANIFEST_REFERENCE_MISSING,
        /** A tag pointing at a manifest its repository does not hold. */
        TAG_DANGLING
    }
}
