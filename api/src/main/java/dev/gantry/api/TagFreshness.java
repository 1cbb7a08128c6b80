package dev.gantry.api;

import java.time.Duration;
import java.util.Optional;

/** A Remote registry's {@code tagFreshness}: how long a cached tag is trusted ({@link Periods}' grammar). */
public final class TagFreshness {
    public static final String NEVER = Periods.NEVER;
    public static final String DEFAULT = "6h";
    public static final String PATTERN = Periods.PATTERN;

    private TagFreshness() {
    }

    /**
     * @param text the field as written; null means the default ({@value #DEFAULT})
     * @return the period, or empty for {@code Never}
     * @throws IllegalArgumentException for anything else, with an example of what is meant
     */
    public static Optional<Duration> parse(String text) {
        return Periods.parse("tagFreshness", text == null ? DEFAULT : text);
    }
}
