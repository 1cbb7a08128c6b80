package dev.gantry.api.reference;

import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_FORMAT;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_CONTAINS_UPPERCASE;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_EMPTY;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_TOO_LONG;
import static dev.gantry.api.reference.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepositoryPathTest {

    static Stream<Arguments> validPaths() {
        String longest = "a".repeat(255);
        return Stream.of(
                arguments("a single component has no rest", "app", List.of("app"), "app", null),
                arguments("a three-component path splits off its first component", "qa/team/app",
                        List.of("qa", "team", "app"), "qa", "team/app"),
                arguments("a two-component path has a one-component rest", "qa/app", List.of("qa", "app"), "qa", "app"),
                arguments("digits alone make components", "0/1", List.of("0", "1"), "0", "1"),
                arguments("one dot separates", "a.b", List.of("a.b"), "a.b", null),
                arguments("one underscore separates", "a_b", List.of("a_b"), "a_b", null),
                arguments("two underscores separate", "a__b", List.of("a__b"), "a__b", null),
                arguments("one dash separates", "a-b", List.of("a-b"), "a-b", null),
                arguments("a run of dashes separates", "a---b", List.of("a---b"), "a---b", null),
                arguments("separators may alternate between alphanumerics", "a-b_c.d__e/f--g",
                        List.of("a-b_c.d__e", "f--g"), "a-b_c.d__e", "f--g"),
                arguments("a path of exactly 255 characters is accepted", longest, List.of(longest), longest, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validPaths")
    void parsesValidPaths(String sentence, String input, List<String> components, String first, String rest) {
        RepositoryPath path = RepositoryPath.parse(input);

        assertThat(path.value()).isEqualTo(input);
        assertThat(path).hasToString(input);
        assertThat(path.components()).containsExactlyElementsOf(components);
        assertThat(path.first()).isEqualTo(first);
        assertThat(path.rest().map(RepositoryPath::value).orElse(null)).isEqualTo(rest);
    }

    static Stream<Arguments> invalidPaths() {
        String component = "repository path component %s is invalid: use lowercase letters and digits, separated by"
                + " one '.', one or two '_' or any number of '-', starting and ending with a letter or digit";
        return Stream.of(
                arguments("an empty path is refused as empty", "", NAME_EMPTY, "repository name must not be empty"),
                arguments("a path of 256 characters is refused as too long", "a".repeat(256), NAME_TOO_LONG,
                        "repository name must not be more than 255 characters, got 256"),
                arguments("an uppercase letter is refused with the lowercase message", "qa/App",
                        NAME_CONTAINS_UPPERCASE, "repository name must be lowercase"),
                arguments("a leading slash is refused", "/app", INVALID_FORMAT,
                        "repository name must not start with '/'"),
                arguments("a lone slash is refused as a leading slash", "/", INVALID_FORMAT,
                        "repository name must not start with '/'"),
                arguments("a trailing slash is refused", "app/", INVALID_FORMAT,
                        "repository name must not end with '/'"),
                arguments("a double slash is refused", "a//b", INVALID_FORMAT,
                        "repository name must not contain an empty component ('//')"),
                arguments("a dot component is refused", "a/./b", INVALID_FORMAT,
                        "repository name must not contain the relative path component \".\""),
                arguments("a dot-dot component is refused", "a/../b", INVALID_FORMAT,
                        "repository name must not contain the relative path component \"..\""),
                arguments("a path that is only dot-dot is refused", "..", INVALID_FORMAT,
                        "repository name must not contain the relative path component \"..\""),
                arguments("three underscores are refused", "a___b", INVALID_FORMAT, component.formatted("\"a___b\"")),
                arguments("two dots are refused", "a..b", INVALID_FORMAT, component.formatted("\"a..b\"")),
                arguments("mixed separators are refused", "a._b", INVALID_FORMAT, component.formatted("\"a._b\"")),
                arguments("a leading dash is refused", "-a", INVALID_FORMAT, component.formatted("\"-a\"")),
                arguments("a trailing dash is refused", "a-", INVALID_FORMAT, component.formatted("\"a-\"")),
                arguments("a leading underscore is refused", "_a", INVALID_FORMAT, component.formatted("\"_a\"")),
                arguments("a trailing dot is refused", "qa/a.", INVALID_FORMAT, component.formatted("\"a.\"")),
                arguments("a space is refused", "a b", INVALID_FORMAT, component.formatted("\"a b\"")),
                arguments("a colon is refused", "a:b", INVALID_FORMAT, component.formatted("\"a:b\"")),
                arguments("a non-ASCII letter is refused", "caf\u00e9", INVALID_FORMAT,
                        component.formatted("\"caf\u00e9\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPaths")
    void refusesInvalidPaths(String sentence, String input, Reason reason, String detail) {
        assertRefused(() -> RepositoryPath.parse(input), "repository name", input, reason, detail);
    }

    @Test
    void theRestOfTheRestWalksDownThePath() {
        RepositoryPath path = RepositoryPath.parse("prod/team/app");

        assertThat(path.rest()).get().extracting(RepositoryPath::first).isEqualTo("team");
        assertThat(path.rest().flatMap(RepositoryPath::rest)).contains(RepositoryPath.parse("app"));
        assertThat(path.rest().flatMap(RepositoryPath::rest).flatMap(RepositoryPath::rest)).isEmpty();
    }

    @Test
    void theUppercaseMessageNamesTheInput() {
        assertThat(catchThrowable(() -> RepositoryPath.parse("Foo")))
                .hasMessage("invalid repository name \"Foo\": repository name must be lowercase");
    }
}
