package dev.gantry.registry.oci;

/** A request the registry refuses, as the spec words it; the HTTP edge turns it into the error body. */
public class OciException extends RuntimeException {
    private final OciError error;
    private final int status;
    private final String detail;

    OciException(OciError error, int status, String detail) {
        super(error.name() + ": " + detail);
        this.error = error;
        this.status = status;
        this.detail = detail;
    }

    public OciError error() {
        return error;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }
}
