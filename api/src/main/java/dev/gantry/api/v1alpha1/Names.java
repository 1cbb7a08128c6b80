package dev.gantry.api.v1alpha1;

/** Patterns shared by the CRD schemas (as annotation constants) and the Java validators. */
public final class Names {
    /** A DNS-1123 label: a registry's name is the first path component of every image reference it serves. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public static final int DNS_LABEL_MAX = 63;
    /** A DNS-1123 subdomain, the shape of Secret names. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final int DNS_SUBDOMAIN_MAX = 253;
    /** A repository path inside a registry (OCI distribution path components), e.g. {@code team/app}. */
    public static final String REPOSITORY = "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$";
    public static final int REPOSITORY_MAX = 255;
    /** An OCI tag. */
    public static final String TAG = "^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$";
    /** The digests Gantry stores: sha256 and sha512, lowercase hex of the right length. */
    public static final String DIGEST = "^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$";
    /** A Go-style duration (as Kubernetes writes them) or {@code Never}. */
    public static final String FRESHNESS = dev.gantry.api.TagFreshness.PATTERN;
    /** An http(s) URL with a host. */
    public static final String HTTP_URL = "^https?://[^/\\s?#]+(/[^\\s]*)?$";

    private Names() {
    }
}
