package dev.gantry.registry.storage;

/** The source or target state refuses a promotion; nothing was changed. */
public class PromotionRefusedException extends RuntimeException {
    public enum Reason {
        /** The source repository does not hold the digest or tag (or not all of its content). */
        SOURCE_UNKNOWN,
        /** The tag no longer resolves to the expected digest. */
        DIGEST_MISMATCH,
        /** An immutable tag in the target would move. */
        TAG_IMMUTABLE
    }

    private final Reason reason;

    public PromotionRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
