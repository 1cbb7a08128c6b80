package dev.gantry.api.reference;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalised container image reference: {@code domain/path[:tag][@digest]}.
 *
 * <p>{@link #parse} reads what a user writes in a pod spec and normalises it the way Docker and the kubelet do
 * (CNCF Distribution's {@code ParseNormalizedNamed}): {@code nginx} becomes {@code docker.io/library/nginx}. Every
 * instance is normalised, including ones built with the constructor, so equal images are equal records.
 *
 * @param domain the registry, {@code host[:port]}, case kept as written; {@code docker.io} for Docker Hub
 * @param path   the repository path; Docker Hub single-component paths carry {@code library/}
 * @param tag    the tag as written, or {@code null} when none was written (even though {@code latest} is implied)
 * @param digest the digest, or {@code null}
 */
public record ImageReference(String domain, RepositoryPath path, String tag, Digest digest) {

    public static final String DOCKER_HUB_DOMAIN = "docker.io";
    public static final String LEGACY_DOCKER_HUB_DOMAIN = "index.docker.io";
    public static final String DEFAULT_TAG = "latest";
    /** Longest {@code domain/path} accepted; the limit most registries and clients apply (OCI distribution spec). */
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_TAG_LENGTH = 128;
    /** Anything longer is refused before any further inspection, to bound the work done on hostile input. */
    public static final int MAX_INPUT_LENGTH = 4096;

    private static final String SUBJECT = "image reference";
    private static final String OFFICIAL_PREFIX = "library/";
    // A bare 64-hex string is an image ID; Docker refuses to read it as a name to avoid the ambiguity.
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

    public ImageReference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
        String written = format(domain, path.value(), tag, digest);
        String domainProblem = Domains.problem(domain);
        if (domainProblem != null) {
            throw new InvalidReferenceException(Reason.INVALID_DOMAIN, SUBJECT, written, domainProblem);
        }
        if (tag != null) {
            checkTag(tag, written);
        }
        if (domain.equals(LEGACY_DOCKER_HUB_DOMAIN)) {
            domain = DOCKER_HUB_DOMAIN;
        }
        String pathValue = path.value();
        if (domain.equals(DOCKER_HUB_DOMAIN) && pathValue.indexOf('/') < 0) {
            pathValue = OFFICIAL_PREFIX + pathValue;
        }
        int nameLength = domain.length() + 1 + pathValue.length();
        if (nameLength > MAX_NAME_LENGTH) {
            throw new InvalidReferenceException(Reason.NAME_TOO_LONG, SUBJECT, written,
                    "repository name including the registry domain " + InvalidReferenceException.quote(domain)
                            + " must not be more than " + MAX_NAME_LENGTH + " characters, got " + nameLength);
        }
        if (!pathValue.equals(path.value())) {
            path = new RepositoryPath(pathValue);
        }
    }

    /**
     * Parses and normalises a reference as written in a pod spec.
     *
     * @throws InvalidReferenceException with the reason and the whole input when it does not follow the grammar
     */
    public static ImageReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        checkShape(reference);

        // Neither the name nor the tag may contain '@', so the first one starts the digest.
        int at = reference.indexOf('@');
        String beforeDigest = at < 0 ? reference : reference.substring(0, at);
        String digestText = at < 0 ? null : reference.substring(at + 1);

        // A colon after the last slash starts the tag; earlier colons belong to the domain's port.
        int colon = beforeDigest.lastIndexOf(':');
        boolean hasTag = colon > beforeDigest.lastIndexOf('/');
        String name = hasTag ? beforeDigest.substring(0, colon) : beforeDigest;
        String tag = hasTag ? beforeDigest.substring(colon + 1) : null;
        if (name.isEmpty()) {
            throw new InvalidReferenceException(Reason.NAME_EMPTY, SUBJECT, reference,
                    "repository name is missing");
        }

        int slash = name.indexOf('/');
        String first = slash < 0 ? name : name.substring(0, slash);
        boolean explicitDomain = slash >= 0 && Domains.looksLikeDomain(first);
        String domain = explicitDomain ? first : DOCKER_HUB_DOMAIN;
        String remainder = explicitDomain ? name.substring(slash + 1) : name;

        if (explicitDomain) {
            checkDomain(domain, reference);
        }
        RepositoryPath path;
        try {
            path = RepositoryPath.parse(remainder);
        } catch (InvalidReferenceException e) {
            throw e.within(SUBJECT, reference);
        }
        if (tag != null) {
            checkTag(tag, reference);
        }
        try {
            Digest digest = digestText == null ? null : Digest.parse(digestText);
            return new ImageReference(domain, path, tag, digest);
        } catch (InvalidReferenceException e) {
            throw e.within(SUBJECT, reference);
        }
    }

    /** {@code domain/path}, the repository name used in registry API URLs. */
    public String name() {
        return domain + "/" + path.value();
    }

    /** The domain without its port; IPv6 addresses keep their brackets, e.g. {@code [::1]}. */
    public String host() {
        return Domains.host(domain);
    }

    public Optional<Integer> port() {
        return Domains.port(domain);
    }

    public Optional<String> tagOpt() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> digestOpt() {
        return Optional.ofNullable(digest);
    }

    public boolean hasTag() {
        return tag != null;
    }

    public boolean hasDigest() {
        return digest != null;
    }

    /**
     * The tag a client would use: the written tag, {@code latest} when neither tag nor digest was written, and
     * {@code null} for a digest-only reference (which is pulled by digest, not by any tag).
     */
    public String effectiveTag() {
        if (tag != null) {
            return tag;
        }
        return digest == null ? DEFAULT_TAG : null;
    }

    /** What to fetch from {@code /v2/<name>/manifests/<reference>}: the digest when present, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : effectiveTag();
    }

    public ImageReference withTag(String newTag) {
        return new ImageReference(domain, path, newTag, digest);
    }

    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(domain, path, tag, newDigest);
    }

    /** The canonical form; {@code :latest} is spelled out when neither tag nor digest was written. */
    @Override
    public String toString() {
        return format(domain, path.value(), tag == null && digest == null ? DEFAULT_TAG : tag, digest);
    }

    private static String format(String domain, String path, String tag, Digest digest) {
        StringBuilder out = new StringBuilder(domain).append('/').append(path);
        if (tag != null) {
            out.append(':').append(tag);
        }
        if (digest != null) {
            out.append('@').append(digest);
        }
        return out.toString();
    }

    /** Cheap whole-input checks, done before any regular expression sees the input. */
    private static void checkShape(String reference) {
        if (reference.length() > MAX_INPUT_LENGTH) {
            throw new InvalidReferenceException(Reason.INVALID_FORMAT, SUBJECT, reference,
                    "image reference must not be more than " + MAX_INPUT_LENGTH + " characters, got "
                            + reference.length());
        }
        if (reference.isEmpty()) {
            throw new InvalidReferenceException(Reason.NAME_EMPTY, SUBJECT, reference,
                    "image reference must not be empty");
        }
        for (int i = 0; i < reference.length(); i++) {
            char c = reference.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isSpaceChar(c)
                    || Character.isISOControl(c)) {
                throw new InvalidReferenceException(Reason.INVALID_FORMAT, SUBJECT, reference,
                        "image reference must not contain whitespace or control characters (found one at character "
                                + (i + 1) + ")");
            }
        }
        if (IMAGE_ID.matcher(reference).matches()) {
            throw new InvalidReferenceException(Reason.INVALID_FORMAT, SUBJECT, reference,
                    "a 64-character hexadecimal string is an image ID, not a repository name");
        }
    }

    private static void checkDomain(String domain, String reference) {
        String problem = Domains.problem(domain);
        if (problem == null) {
            return;
        }
        // Taken for a domain only because of its capitals, but a valid namespace once lowercased: the user meant a
        // Docker Hub namespace, so say what Distribution says.
        boolean onlyUppercase = domain.indexOf('.') < 0 && domain.indexOf(':') < 0;
        String lower = domain.toLowerCase(Locale.ROOT);
        if (onlyUppercase && !lower.equals("localhost") && isValidComponent(lower)) {
            throw new InvalidReferenceException(Reason.NAME_CONTAINS_UPPERCASE, SUBJECT, reference,
                    "repository name must be lowercase");
        }
        throw new InvalidReferenceException(Reason.INVALID_DOMAIN, SUBJECT, reference, problem);
    }

    private static boolean isValidComponent(String component) {
        try {
            RepositoryPath.parse(component);
            return true;
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    // Docker's tag grammar [\w][\w.-]{0,127}, checked by hand to name the offending character.
    private static void checkTag(String tag, String input) {
        String problem = null;
        if (tag.isEmpty()) {
            problem = "tag must not be empty after ':'";
        } else if (tag.length() > MAX_TAG_LENGTH) {
            problem = "tag must not be more than " + MAX_TAG_LENGTH + " characters, got " + tag.length();
        } else if (!isWordChar(tag.charAt(0))) {
            problem = "tag must start with a letter, digit or '_', got "
                    + InvalidReferenceException.quote(tag.substring(0, 1));
        } else {
            for (int i = 1; i < tag.length() && problem == null; i++) {
                char c = tag.charAt(i);
                if (!isWordChar(c) && c != '.' && c != '-') {
                    problem = "tag may only contain letters, digits, '_', '.' and '-', got "
                            + InvalidReferenceException.quote(String.valueOf(c));
                }
            }
        }
        if (problem != null) {
            throw new InvalidReferenceException(Reason.INVALID_TAG, SUBJECT, input, problem);
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
