package dev.gantry.operator.client;

/**
 * A management call that did not succeed. {@code code} is the registry's own error code (e.g.
 * {@code PROMOTION_NOT_ALLOWED}) when it answered with one, else one of the operator's {@code REGISTRY_*} codes.
 * Transient failures (unreachable, timeouts, 5xx, 429, a refused operator credential) are worth retrying; the rest
 * are the registry's verdict on the request itself.
 */
public class RegistryException extends RuntimeException {
    /** The registry could not be reached or timed out. */
    public static final String UNREACHABLE = "REGISTRY_UNREACHABLE";
    /** It answered 5xx or something that is not its API. */
    public static final String UNAVAILABLE = "REGISTRY_UNAVAILABLE";

    private final int status;
    private final String code;
    private final boolean transientFailure;

    public RegistryException(int status, String code, String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.transientFailure = transientFailure;
    }

    static RegistryException unreachable(String what, Throwable cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new RegistryException(0, UNREACHABLE, "registry server unreachable (" + what + "): " + detail, true,
                cause);
    }

    /** HTTP status, 0 when there was no answer. */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
