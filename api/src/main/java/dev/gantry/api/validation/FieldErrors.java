package dev.gantry.api.validation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The errors one validation found, in the order the fields were checked. */
public final class FieldErrors {
    private final List<FieldError> errors = new ArrayList<>();

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<FieldError> asList() {
        return Collections.unmodifiableList(errors);
    }

    public List<String> paths() {
        return errors.stream().map(FieldError::path).toList();
    }

    /** All errors in one readable line, for an admission denial or a status condition. */
    public String summary() {
        return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }

    @Override
    public String toString() {
        return summary();
    }

    void add(String path, String message) {
        errors.add(new FieldError(path, message, null));
    }

    void add(String path, String message, String hint) {
        errors.add(new FieldError(path, message, hint));
    }

    void addAll(FieldErrors other) {
        errors.addAll(other.errors);
    }

    /** Records a missing value; true when it is present, so callers can go on checking it. */
    boolean required(String path, Object value) {
        return required(path, value, null);
    }

    boolean required(String path, Object value, String hint) {
        if (value == null) {
            add(path, "required", hint);
            return false;
        }
        return true;
    }

    void forbidden(String path, Object value, String why) {
        if (value != null) {
            add(path, why);
        }
    }

    /** Checks an optional string against the same pattern and length bound as the CRD schema. */
    void matches(String path, String value, Pattern pattern, int maxLength, String hint) {
        if (value == null) {
            return;
        }
        if (value.length() > maxLength) {
            add(path, "must be at most " + maxLength + " characters, got " + value.length());
        } else if (!pattern.matcher(value).matches()) {
            add(path, "invalid value \"" + value + "\"", hint);
        }
    }

    /** Checks an optional list: bounded, without repeats, each element against the pattern. */
    void list(String path, List<String> values, int maxItems, Pattern pattern, int maxLength, String hint) {
        if (values == null) {
            return;
        }
        if (values.size() > maxItems) {
            add(path, "must have at most " + maxItems + " items, got " + values.size());
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            String item = values.get(i);
            String itemPath = path + "[" + i + "]";
            if (required(itemPath, item)) {
                matches(itemPath, item, pattern, maxLength, hint);
            }
            if (item != null && values.indexOf(item) != i) {
                add(path, "must not repeat \"" + item + "\"");
            }
        }
    }
}
