package dev.gantry.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InvalidReferenceExceptionTest {

    static Stream<Arguments> quotings() {
        return Stream.of(
                arguments("plain text is wrapped in double quotes", "nginx", "\"nginx\""),
                arguments("double quotes and backslashes are escaped", "a\"b\\c", "\"a\\\"b\\\\c\""),
                arguments("newlines, returns and tabs are escaped", "a\nb\rc\td", "\"a\\nb\\rc\\td\""),
                arguments("other control characters are escaped as unicode", "a\u0000b\u007f", "\"a\\u0000b\\u007f\""),
                arguments("a right-to-left override is escaped so it cannot reorder the message", "a\u202eb",
                        "\"a\\u202eb\""),
                arguments("a no-break space is escaped so it stays visible", "a\u00a0b", "\"a\\u00a0b\""),
                arguments("a plain space is kept", "a b", "\"a b\""),
                arguments("printable non-ASCII letters are kept", "caf\u00e9", "\"caf\u00e9\""),
                arguments("a printable supplementary character is kept", "a\uD83D\uDE00", "\"a\uD83D\uDE00\""),
                arguments("a lone surrogate is escaped", "a\uD83D", "\"a\\ud83d\""),
                arguments("text of exactly 512 characters is kept whole", "x".repeat(512),
                        "\"" + "x".repeat(512) + "\""),
                arguments("text of 513 characters is shortened with its length", "x".repeat(513),
                        "\"" + "x".repeat(512) + "\"... (513 characters)"),
                arguments("shortening never splits a surrogate pair", "x".repeat(511) + "\uD83D\uDE00",
                        "\"" + "x".repeat(511) + "\"... (513 characters)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quotings")
    void quotesUntrustedInputForMessages(String sentence, String input, String quoted) {
        assertThat(InvalidReferenceException.quote(input)).isEqualTo(quoted);
    }
}
