package dev.gantry.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A period written as Kubernetes writes durations ({@code 30m}, {@code 6h}, {@code 1h30m}) or {@code Never}: the
 * shape of a Remote registry's {@code tagFreshness} and of a registry's {@code untaggedRetention}. Plain Java, so the
 * registry (which has no Kubernetes library) and the CRD classes read them the same way.
 */
public final class Periods {
    public static final String NEVER = "Never";
    /** The grammar, also the CRD schema's pattern. */
    public static final String PATTERN = "^(Never|([0-9]+(ms|s|m|h))+)$";
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Periods() {
    }

    /**
     * @param field the field's name, for the message
     * @param value the field as written (not null: the caller applies its default)
     * @return the period, or empty for {@code Never}
     * @throws IllegalArgumentException for anything else, with an example of what is meant
     */
    public static Optional<Duration> parse(String field, String value) {
        if (NEVER.equals(value)) {
            return Optional.empty();
        }
        if (value == null || !value.matches(PATTERN)) {
            throw new IllegalArgumentException(field + " \"" + value + "\" is not a duration (write e.g. 30m, 6h "
                    + "or 1h30m) nor Never");
        }
        try {
            Duration total = Duration.ZERO;
            Matcher m = PART.matcher(value);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
            }
            return Optional.of(total);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(field + " \"" + value + "\" is out of range", e);
        }
    }
}
