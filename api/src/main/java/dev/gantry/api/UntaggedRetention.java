package dev.gantry.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A registry's {@code untaggedRetention}: how long a manifest that no tag points at (and that was not promoted into
 * the registry) is kept before garbage collection removes it ({@link Periods}' grammar). The default is
 * {@code Never}: nothing a client pushed disappears unless the registry asks for it.
 */
public final class UntaggedRetention {
    public static final String DEFAULT = Periods.NEVER;

    private UntaggedRetention() {
    }

    /** The period, or empty for {@code Never} (also when unset). */
    public static Optional<Duration> parse(String text) {
        return Periods.parse("untaggedRetention", text == null ? DEFAULT : text);
    }
}
