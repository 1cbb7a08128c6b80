package dev.gantry.api.reference;

import java.util.Objects;

/**
 * Thrown when an image reference, repository name or digest does not follow the grammar.
 *
 * <p>The message is a full sentence meant for humans (it ends up in Kubernetes admission denials), e.g.
 * {@code invalid image reference "Nginx": repository name must be lowercase}. Code should branch on
 * {@link #reason()}, never on the message.
 */
public final class InvalidReferenceException extends IllegalArgumentException {

    /** Why the input was refused. */
    public enum Reason {
        /** Structurally wrong: bad characters, bad path components, too long overall, an image ID. */
        INVALID_FORMAT,
        /** The repository name is missing or empty. */
        NAME_EMPTY,
        /** The repository name (with or without its domain) is longer than 255 characters. */
        NAME_TOO_LONG,
        /** The repository name contains an uppercase letter. */
        NAME_CONTAINS_UPPERCASE,
        /** The tag does not match {@code [\w][\w.-]{0,127}}. */
        INVALID_TAG,
        /** The digest is malformed (missing colon, bad hex, wrong length). */
        INVALID_DIGEST,
        /** The digest is well formed but uses an algorithm other than sha256 or sha512. */
        UNSUPPORTED_DIGEST_ALGORITHM,
        /** The registry domain (host and optional port) is malformed. */
        INVALID_DOMAIN
    }

    /** Inputs longer than this are shortened in the message; the full input stays in {@link #input()}. */
    static final int MAX_QUOTED_LENGTH = 512;

    private final Reason reason;
    private final String input;
    private final String detail;

    InvalidReferenceException(Reason reason, String subject, String input, String detail) {
        this(reason, subject, input, detail, null);
    }

    private InvalidReferenceException(Reason reason, String subject, String input, String detail, Throwable cause) {
        super("invalid " + subject + " " + quote(input) + ": " + detail, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.input = Objects.requireNonNull(input, "input");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** The same failure reported against a larger input, e.g. a digest error inside a whole image reference. */
    InvalidReferenceException within(String subject, String outerInput) {
        return new InvalidReferenceException(reason, subject, outerInput, detail, this);
    }

    public Reason reason() {
        return reason;
    }

    /** The complete offending input, exactly as given. */
    public String input() {
        return input;
    }

    /** The message without the {@code invalid ... "input": } prefix. */
    public String detail() {
        return detail;
    }

    /**
     * Quotes untrusted text for a message: escapes quotes, backslashes and invisible or control characters (so a
     * denial cannot be forged or hidden with newlines or bidi overrides) and shortens very long input.
     */
    static String quote(String s) {
        int end = Math.min(s.length(), MAX_QUOTED_LENGTH);
        if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end + 2).append('"');
        for (int i = 0; i < end; ) {
            int cp = s.codePointAt(i);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isVisible(cp)) {
                        out.appendCodePoint(cp);
                    } else {
                        for (char c : Character.toChars(cp)) {
                            out.append(String.format("\\u%04x", (int) c));
                        }
                    }
                }
            }
            i += Character.charCount(cp);
        }
        out.append('"');
        if (end < s.length()) {
            out.append("... (").append(s.length()).append(" characters)");
        }
        return out.toString();
    }

    private static boolean isVisible(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
