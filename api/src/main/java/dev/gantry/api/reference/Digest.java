package dev.gantry.api.reference;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}.
 *
 * <p>Only the two algorithms the OCI image spec registers for general use are accepted, and only in their canonical
 * lowercase-hex form, so that two equal digests are always equal strings (they are used as storage keys).
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param encoded   the lowercase hex encoding of the hash, 64 or 128 characters
 */
public record Digest(String algorithm, String encoded) {

    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    private static final String SUBJECT = "digest";

    // OCI image-spec algorithm grammar; possessive quantifiers because the separators make it unambiguous,
    // which keeps matching linear on hostile input.
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]++(?:[+._-][a-z0-9]++)*+");

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(encoded, "encoded");
        String input = algorithm + ":" + encoded;
        checkAlgorithm(algorithm, input);
        checkEncoded(algorithm, encoded, input);
    }

    /** Parses {@code algorithm:hex}; throws {@link InvalidReferenceException} with a precise reason otherwise. */
    public static Digest parse(String digest) {
        Objects.requireNonNull(digest, "digest");
        int colon = digest.indexOf(':');
        if (colon < 0) {
            throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, digest,
                    "digest must have the form <algorithm>:<hex>, e.g. sha256:<64 hex characters>");
        }
        try {
            return new Digest(digest.substring(0, colon), digest.substring(colon + 1));
        } catch (InvalidReferenceException e) {
            throw e.within(SUBJECT, digest);
        }
    }

    public static boolean isValid(String digest) {
        if (digest == null) {
            return false;
        }
        try {
            parse(digest);
            return true;
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    private static void checkAlgorithm(String algorithm, String input) {
        if (algorithm.equals(SHA256) || algorithm.equals(SHA512)) {
            return;
        }
        if (algorithm.isEmpty()) {
            throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                    "digest algorithm is missing before ':'");
        }
        String lower = algorithm.toLowerCase(Locale.ROOT);
        if (lower.equals(SHA256) || lower.equals(SHA512)) {
            throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                    "digest algorithm must be lowercase, use \"" + lower + "\"");
        }
        if (!ALGORITHM.matcher(algorithm).matches()) {
            throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                    "digest algorithm " + InvalidReferenceException.quote(algorithm) + " is malformed");
        }
        throw new InvalidReferenceException(Reason.UNSUPPORTED_DIGEST_ALGORITHM, SUBJECT, input,
                "unsupported digest algorithm " + InvalidReferenceException.quote(algorithm)
                        + " (supported: sha256, sha512)");
    }

    private static void checkEncoded(String algorithm, String encoded, String input) {
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c >= 'A' && c <= 'F') {
                throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                        algorithm + " digest hex must be lowercase");
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                        algorithm + " digest contains the non-hex character "
                                + InvalidReferenceException.quote(String.valueOf(c)));
            }
        }
        int expected = algorithm.equals(SHA256) ? 64 : 128;
        if (encoded.length() != expected) {
            throw new InvalidReferenceException(Reason.INVALID_DIGEST, SUBJECT, input,
                    algorithm + " digest must have " + expected + " hex characters, got " + encoded.length());
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }
}
