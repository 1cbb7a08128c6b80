package dev.gantry.api.validation;

/**
 * One broken rule, addressed by field path (as {@code kubectl} reports them: {@code spec.members[1]}).
 *
 * @param hint how to fix it, or null when the message says enough
 */
public record FieldError(String path, String message, String hint) {
    @Override
    public String toString() {
        return path + ": " + message + (hint == null ? "" : " (" + hint + ")");
    }
}
