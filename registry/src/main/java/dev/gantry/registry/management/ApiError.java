package dev.gantry.registry.management;

/** The management API's error codes, each with its HTTP status. */
public enum ApiError {
    INVALID_REQUEST(400),
    /** Authenticated, but the caller's grants do not allow it. */
    DENIED(403),
    REGISTRY_UNKNOWN(404),
    /** A registry's type is fixed for its life. */
    TYPE_IMMUTABLE(409),
    /** Deleting a registry that holds content needs {@code ?force=true}. */
    REGISTRY_NOT_EMPTY(409),
    /** Another registry names this one as member, deploy target or promotion source. */
    REGISTRY_IN_USE(409),
    REPOSITORY_UNKNOWN(404),
    MANIFEST_UNKNOWN(404),
    TAG_UNKNOWN(404),
    CREDENTIAL_UNKNOWN(404),
    CREDENTIAL_EXISTS(409),
    /** {@code from} is not among the target's promotion sources, or the target cannot receive promotions. */
    PROMOTION_NOT_ALLOWED(403),
    /** No promotion record with that id (or none the caller may see). */
    PROMOTION_UNKNOWN(404),
    /** The source does not hold the digest or tag. */
    SOURCE_UNKNOWN(404),
    /** With {@code expectedDigest}: the tag has moved. */
    DIGEST_MISMATCH(409),
    /** An immutable tag in the target would move. */
    TAG_IMMUTABLE(409),
    /** Another fsck is in progress. */
    FSCK_RUNNING(409),
    /** A garbage collection is running already (scheduled or requested). */
    GC_RUNNING(409),
    /** The request body passes {@code gantry.limits.management-body-size}. */
    BODY_TOO_LARGE(413);

    private final int status;

    ApiError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    public ApiException exception(String message) {
        return new ApiException(this, message);
    }
}
