package dev.gantry.api.reference;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A repository path without its registry domain, e.g. {@code qa/team/app}.
 *
 * <p>Gantry reads the first component as the name of one of its registries and the rest as the repository inside
 * it, hence {@link #first()} and {@link #rest()}.
 *
 * @param value the path, components joined by single {@code /}
 */
public record RepositoryPath(String value) {

    /** Longest path accepted, as in Distribution and most registries. */
    public static final int MAX_LENGTH = 255;

    private static final String SUBJECT = "repository name";

    // OCI distribution-spec path component: [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*. Possessive quantifiers are
    // safe because separators are never alphanumeric, and they keep matching linear on hostile input.
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]++(?:(?:[._]|__|-++)[a-z0-9]++)*+");

    public RepositoryPath {
        Objects.requireNonNull(value, "value");
        check(value);
    }

    public static RepositoryPath parse(String path) {
        return new RepositoryPath(path);
    }

    /** The components in order; never empty. */
    public List<String> components() {
        return List.of(value.split("/"));
    }

    /** The first component; for Gantry, the registry name. */
    public String first() {
        int slash = value.indexOf('/');
        return slash < 0 ? value : value.substring(0, slash);
    }

    /** Everything after the first component, or empty for a single-component path. */
    public Optional<RepositoryPath> rest() {
        int slash = value.indexOf('/');
        return slash < 0 ? Optional.empty() : Optional.of(new RepositoryPath(value.substring(slash + 1)));
    }

    @Override
    public String toString() {
        return value;
    }

    private static void check(String value) {
        if (value.isEmpty()) {
            throw fail(Reason.NAME_EMPTY, value, "repository name must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw fail(Reason.NAME_TOO_LONG, value,
                    "repository name must not be more than " + MAX_LENGTH + " characters, got " + value.length());
        }
        if (value.chars().anyMatch(c -> c >= 'A' && c <= 'Z')) {
            throw fail(Reason.NAME_CONTAINS_UPPERCASE, value, "repository name must be lowercase");
        }
        if (value.startsWith("/")) {
            throw fail(Reason.INVALID_FORMAT, value, "repository name must not start with '/'");
        }
        if (value.endsWith("/")) {
            throw fail(Reason.INVALID_FORMAT, value, "repository name must not end with '/'");
        }
        if (value.contains("//")) {
            throw fail(Reason.INVALID_FORMAT, value, "repository name must not contain an empty component ('//')");
        }
        for (String component : value.split("/")) {
            if (component.equals(".") || component.equals("..")) {
                throw fail(Reason.INVALID_FORMAT, value,
                        "repository name must not contain the relative path component \"" + component + "\"");
            }
            if (!COMPONENT.matcher(component).matches()) {
                throw fail(Reason.INVALID_FORMAT, value, "repository path component "
                        + InvalidReferenceException.quote(component)
                        + " is invalid: use lowercase letters and digits, separated by one '.', one or two '_' or"
                        + " any number of '-', starting and ending with a letter or digit");
            }
        }
    }

    private static InvalidReferenceException fail(Reason reason, String value, String detail) {
        return new InvalidReferenceException(reason, SUBJECT, value, detail);
    }
}
