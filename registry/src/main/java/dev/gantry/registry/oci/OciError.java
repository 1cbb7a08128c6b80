package dev.gantry.registry.oci;

/**
 * The error codes of the OCI Distribution Specification v1.1 ("Error Codes"), with the spec's message and the HTTP
 * status each is usually sent with. Every registry API error leaves the server as one of these.
 */
public enum OciError {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not a spec code: the server failed (as CNCF Distribution reports it). Never the client's fault. */
    UNKNOWN(500, "unknown error");

    private final int status;
    private final String message;

    OciError(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }

    public OciException exception(String detail) {
        return new OciException(this, status, detail);
    }

    /** The same code with another status, where the spec asks for one (416 for a chunk out of order, 413 too big). */
    public OciException exception(int status, String detail) {
        return new OciException(this, status, detail);
    }
}
