package dev.gantry.api.reference;

import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_DIGEST;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_DOMAIN;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_FORMAT;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_TAG;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_CONTAINS_UPPERCASE;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_EMPTY;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.NAME_TOO_LONG;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.UNSUPPORTED_DIGEST_ALGORITHM;
import static dev.gantry.api.reference.Refusals.SHA256;
import static dev.gantry.api.reference.Refusals.SHA256_HEX;
import static dev.gantry.api.reference.Refusals.SHA512;
import static dev.gantry.api.reference.Refusals.assertRefused;
import static dev.gantry.api.reference.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageReferenceTest {

    private static final String TAG_128 = "t".repeat(128);
    // "reg.example/" is 12 characters, so these make names of exactly 255 and 256 characters.
    private static final String NAME_255 = "reg.example/" + "a".repeat(243);
    private static final String NAME_256 = "reg.example/" + "a".repeat(244);
    // "docker.io/library/" is 18 characters: Docker Hub normalisation counts toward the limit.
    private static final String HUB_NAME_255 = "a".repeat(237);
    private static final String HUB_NAME_256 = "a".repeat(238);

    static Stream<Arguments> validReferences() {
        return Stream.of(
                arguments("a docker hub short name gains docker.io and library", "nginx",
                        "docker.io", "library/nginx", null, null, "docker.io/library/nginx:latest"),
                arguments("a docker hub short name keeps its tag", "nginx:1.25",
                        "docker.io", "library/nginx", "1.25", null, "docker.io/library/nginx:1.25"),
                arguments("an explicit latest tag is kept as written", "nginx:latest",
                        "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest"),
                arguments("a docker hub user repository gains docker.io but not library", "user/app",
                        "docker.io", "user/app", null, null, "docker.io/user/app:latest"),
                arguments("docker.io with a single component gains library", "docker.io/nginx",
                        "docker.io", "library/nginx", null, null, "docker.io/library/nginx:latest"),
                arguments("docker.io with library already written is unchanged", "docker.io/library/nginx:stable",
                        "docker.io", "library/nginx", "stable", null, "docker.io/library/nginx:stable"),
                arguments("the legacy index.docker.io domain becomes docker.io", "index.docker.io/library/nginx",
                        "docker.io", "library/nginx", null, null, "docker.io/library/nginx:latest"),
                arguments("index.docker.io with a single component gains library too", "index.docker.io/nginx:1",
                        "docker.io", "library/nginx", "1", null, "docker.io/library/nginx:1"),
                arguments("a deep docker hub path is kept whole", "org/team/app",
                        "docker.io", "org/team/app", null, null, "docker.io/org/team/app:latest"),
                arguments("localhost is a domain even without a dot or a port", "localhost/app",
                        "localhost", "app", null, null, "localhost/app:latest"),
                arguments("localhost with a port is a domain", "localhost:5000/app",
                        "localhost:5000", "app", null, null, "localhost:5000/app:latest"),
                arguments("a private registry with port, nested path, tag and digest keeps every part",
                        "reg.example:5000/qa/team/app:1.2@" + SHA256,
                        "reg.example:5000", "qa/team/app", "1.2", SHA256, "reg.example:5000/qa/team/app:1.2@" + SHA256),
                arguments("a single-component path on a private registry gains no library", "quay.io/app",
                        "quay.io", "app", null, null, "quay.io/app:latest"),
                arguments("an IPv6 loopback with a port is a domain", "[::1]:5000/app",
                        "[::1]:5000", "app", null, null, "[::1]:5000/app:latest"),
                arguments("an IPv6 address without a port is a domain", "[2001:db8::1]/app",
                        "[2001:db8::1]", "app", null, null, "[2001:db8::1]/app:latest"),
                arguments("an IPv4 address with a port is a domain", "192.168.0.1:5000/app:v1",
                        "192.168.0.1:5000", "app", "v1", null, "192.168.0.1:5000/app:v1"),
                arguments("a digest alone means no tag and no implied latest", "nginx@" + SHA256,
                        "docker.io", "library/nginx", null, SHA256, "docker.io/library/nginx@" + SHA256),
                arguments("a sha512 digest is accepted", "quay.io/org/app@" + SHA512,
                        "quay.io", "org/app", null, SHA512, "quay.io/org/app@" + SHA512),
                arguments("a tag and a digest together are both kept", "nginx:1.25@" + SHA256,
                        "docker.io", "library/nginx", "1.25", SHA256, "docker.io/library/nginx:1.25@" + SHA256),
                arguments("a tag of exactly 128 characters is accepted", "app:" + TAG_128,
                        "docker.io", "library/app", TAG_128, null, "docker.io/library/app:" + TAG_128),
                arguments("a tag may mix case, digits, dots, dashes and underscores", "app:V1.2-rc_3",
                        "docker.io", "library/app", "V1.2-rc_3", null, "docker.io/library/app:V1.2-rc_3"),
                arguments("a tag may start with an underscore", "app:_x",
                        "docker.io", "library/app", "_x", null, "docker.io/library/app:_x"),
                arguments("uppercase in the domain is accepted and kept as written", "Registry.Example.com/app",
                        "Registry.Example.com", "app", null, null, "Registry.Example.com/app:latest"),
                arguments("a capitalised first component is a domain, as in Distribution", "Foo/bar",
                        "Foo", "bar", null, null, "Foo/bar:latest"),
                arguments("a domain may contain inner dashes", "my-reg.example-corp.com/app",
                        "my-reg.example-corp.com", "app", null, null, "my-reg.example-corp.com/app:latest"),
                arguments("two underscores separate", "a__b", "docker.io", "library/a__b", null, null,
                        "docker.io/library/a__b:latest"),
                arguments("one dash separates", "a-b", "docker.io", "library/a-b", null, null,
                        "docker.io/library/a-b:latest"),
                arguments("two dashes separate", "a--b", "docker.io", "library/a--b", null, null,
                        "docker.io/library/a--b:latest"),
                arguments("one dot separates", "a.b", "docker.io", "library/a.b", null, null,
                        "docker.io/library/a.b:latest"),
                arguments("one underscore separates", "a_b", "docker.io", "library/a_b", null, null,
                        "docker.io/library/a_b:latest"),
                arguments("a dotted name without a slash is a docker hub repository, as in Distribution",
                        "example.com", "docker.io", "library/example.com", null, null,
                        "docker.io/library/example.com:latest"),
                arguments("a bare host and port without a path reads as a docker hub name and tag, as in Distribution",
                        "localhost:5000", "docker.io", "library/localhost", "5000", null,
                        "docker.io/library/localhost:5000"),
                arguments("a 64-hex component after a domain is an ordinary name", "reg.example/" + SHA256_HEX,
                        "reg.example", SHA256_HEX, null, null, "reg.example/" + SHA256_HEX + ":latest"),
                arguments("a name of exactly 255 characters is accepted", NAME_255,
                        "reg.example", "a".repeat(243), null, null, NAME_255 + ":latest"),
                arguments("a docker hub name normalised to exactly 255 characters is accepted", HUB_NAME_255,
                        "docker.io", "library/" + HUB_NAME_255, null, null,
                        "docker.io/library/" + HUB_NAME_255 + ":latest"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validReferences")
    void parsesAndNormalisesValidReferences(String sentence, String input, String domain, String path, String tag,
                                            String digest, String canonical) {
        ImageReference ref = ImageReference.parse(input);

        assertThat(ref.domain()).as("domain").isEqualTo(domain);
        assertThat(ref.path()).as("path").isEqualTo(RepositoryPath.parse(path));
        assertThat(ref.tag()).as("tag").isEqualTo(tag);
        assertThat(ref.digest()).as("digest").isEqualTo(digest == null ? null : Digest.parse(digest));
        assertThat(ref.name()).as("name").isEqualTo(domain + "/" + path);
        assertThat(ref).as("canonical form").hasToString(canonical);
        assertThat(ImageReference.parse(canonical).toString()).as("canonical form is stable").isEqualTo(canonical);
    }

    static Stream<Arguments> invalidReferences() {
        String component = "repository path component %s is invalid: use lowercase letters and digits, separated by"
                + " one '.', one or two '_' or any number of '-', starting and ending with a letter or digit";
        String whitespace = "image reference must not contain whitespace or control characters"
                + " (found one at character %d)";
        String hostLabels = "registry host %s is invalid: use letters, digits and inner '-', in labels separated by"
                + " single dots";
        return Stream.of(
                arguments("an empty string is refused as empty", "", NAME_EMPTY, "image reference must not be empty"),
                arguments("only a tag is refused for lacking a name", ":1.0", NAME_EMPTY, "repository name is missing"),
                arguments("only a digest is refused for lacking a name", "@" + SHA256, NAME_EMPTY,
                        "repository name is missing"),
                arguments("a domain with nothing after its slash is refused as an empty name", "localhost/", NAME_EMPTY,
                        "repository name must not be empty"),
                arguments("uppercase in a docker hub name is refused with the lowercase message", "Nginx",
                        NAME_CONTAINS_UPPERCASE, "repository name must be lowercase"),
                arguments("uppercase in a later docker hub component is refused", "user/App",
                        NAME_CONTAINS_UPPERCASE, "repository name must be lowercase"),
                arguments("uppercase in the path after a domain is refused", "reg.example/Team/app",
                        NAME_CONTAINS_UPPERCASE, "repository name must be lowercase"),
                arguments("a capitalised namespace that cannot be a host is refused as uppercase", "My_Org/app",
                        NAME_CONTAINS_UPPERCASE, "repository name must be lowercase"),
                arguments("a dot-dot component is refused", "reg.example/a/../b", INVALID_FORMAT,
                        "repository name must not contain the relative path component \"..\""),
                arguments("a double slash is refused", "reg.example/a//b", INVALID_FORMAT,
                        "repository name must not contain an empty component ('//')"),
                arguments("a double slash in a docker hub name is refused", "a//b", INVALID_FORMAT,
                        "repository name must not contain an empty component ('//')"),
                arguments("a trailing slash is refused", "nginx/", INVALID_FORMAT,
                        "repository name must not end with '/'"),
                arguments("a leading slash is refused", "/nginx", INVALID_FORMAT,
                        "repository name must not start with '/'"),
                arguments("three underscores are refused", "a___b", INVALID_FORMAT, component.formatted("\"a___b\"")),
                arguments("two dots are refused", "a..b", INVALID_FORMAT, component.formatted("\"a..b\"")),
                arguments("a leading dash is refused", "-a", INVALID_FORMAT, component.formatted("\"-a\"")),
                arguments("a trailing underscore is refused", "org/a_:1", INVALID_FORMAT,
                        component.formatted("\"a_\"")),
                arguments("a colon inside the path is a bad component, not the start of a tag", "reg.example/a:1/b",
                        INVALID_FORMAT, component.formatted("\"a:1\"")),
                arguments("a non-ASCII letter is refused", "ngin\u00e9", INVALID_FORMAT,
                        component.formatted("\"ngin\u00e9\"")),
                arguments("a tag of 129 characters is refused", "app:" + TAG_128 + "t", INVALID_TAG,
                        "tag must not be more than 128 characters, got 129"),
                arguments("a tag starting with a dot is refused", "app:.x", INVALID_TAG,
                        "tag must start with a letter, digit or '_', got \".\""),
                arguments("a tag starting with a dash is refused", "app:-x", INVALID_TAG,
                        "tag must start with a letter, digit or '_', got \"-\""),
                arguments("an empty tag is refused", "app:", INVALID_TAG, "tag must not be empty after ':'"),
                arguments("a plus sign in a tag is refused and named", "app:1.0+build", INVALID_TAG,
                        "tag may only contain letters, digits, '_', '.' and '-', got \"+\""),
                arguments("a name of 256 characters is refused as too long", NAME_256, NAME_TOO_LONG,
                        "repository name including the registry domain \"reg.example\" must not be more than 255"
                                + " characters, got 256"),
                arguments("docker hub normalisation that pushes a name to 256 characters is refused", HUB_NAME_256,
                        NAME_TOO_LONG, "repository name including the registry domain \"docker.io\" must not be more"
                                + " than 255 characters, got 256"),
                arguments("a path of 256 characters is refused before the domain is counted",
                        "reg.example/" + "a".repeat(256), NAME_TOO_LONG,
                        "repository name must not be more than 255 characters, got 256"),
                arguments("a leading space is refused", " nginx", INVALID_FORMAT, whitespace.formatted(1)),
                arguments("a trailing space is refused", "nginx ", INVALID_FORMAT, whitespace.formatted(6)),
                arguments("an inner space is refused", "ngi nx", INVALID_FORMAT, whitespace.formatted(4)),
                arguments("a trailing newline is refused", "nginx\n", INVALID_FORMAT, whitespace.formatted(6)),
                arguments("a tab before the tag is refused", "nginx\t:1", INVALID_FORMAT, whitespace.formatted(6)),
                arguments("a no-break space is refused", "nginx\u00a0", INVALID_FORMAT, whitespace.formatted(6)),
                arguments("a port with no digits is refused", "localhost:/app", INVALID_DOMAIN,
                        "registry port is missing after ':'"),
                arguments("a port with letters is refused", "reg.example:http/app", INVALID_DOMAIN,
                        "registry port must be digits, got \"http\""),
                arguments("a port above 65535 is refused", "reg.example:65536/app", INVALID_DOMAIN,
                        "registry port must be at most 65535, got 65536"),
                arguments("a very long port is refused without overflowing", "reg.example:99999999999/app",
                        INVALID_DOMAIN, "registry port must be at most 65535, got 99999999999"),
                arguments("a port with no host is refused", ":5000/app", INVALID_DOMAIN,
                        "registry host is missing before ':'"),
                arguments("an unbracketed IPv6 address is refused with a hint", "2001:db8::1/app", INVALID_DOMAIN,
                        "registry IPv6 addresses must be enclosed in brackets, e.g. [::1]:5000"),
                arguments("an unclosed IPv6 bracket is refused", "[::1/app", INVALID_DOMAIN,
                        "registry IPv6 address must be closed with ']'"),
                arguments("text between an IPv6 address and its port is refused", "[::1]x:5000/app", INVALID_DOMAIN,
                        "registry domain may only have a ':port' after the IPv6 address"),
                arguments("a non-hex character in an IPv6 address is refused", "[::g]/app", INVALID_DOMAIN,
                        "registry IPv6 address \"[::g]\" may only contain hex digits and ':' between the brackets"),
                arguments("a domain label starting with a dash is refused", "-reg.example/app", INVALID_DOMAIN,
                        hostLabels.formatted("\"-reg.example\"")),
                arguments("an empty domain label is refused", "reg..example/app", INVALID_DOMAIN,
                        hostLabels.formatted("\"reg..example\"")),
                arguments("an underscore in a domain is refused", "my_reg.example/app", INVALID_DOMAIN,
                        hostLabels.formatted("\"my_reg.example\"")),
                arguments("a relative dot-dot first component is refused as a domain", "../app", INVALID_DOMAIN,
                        hostLabels.formatted("\"..\"")),
                arguments("an unsupported digest algorithm is refused", "nginx@md5:" + "a".repeat(32),
                        UNSUPPORTED_DIGEST_ALGORITHM,
                        "unsupported digest algorithm \"md5\" (supported: sha256, sha512)"),
                arguments("a digest one character short is refused", "nginx@sha256:" + SHA256_HEX.substring(1),
                        INVALID_DIGEST, "sha256 digest must have 64 hex characters, got 63"),
                arguments("a sha512 digest of sha256 length is refused", "nginx@sha512:" + SHA256_HEX, INVALID_DIGEST,
                        "sha512 digest must have 128 hex characters, got 64"),
                arguments("uppercase digest hex is refused", "nginx@sha256:" + SHA256_HEX.toUpperCase(), INVALID_DIGEST,
                        "sha256 digest hex must be lowercase"),
                arguments("an empty digest is refused", "nginx@", INVALID_DIGEST,
                        "digest must have the form <algorithm>:<hex>, e.g. sha256:<64 hex characters>"),
                arguments("a second digest is refused", "nginx@" + SHA256 + "@" + SHA256, INVALID_DIGEST,
                        "sha256 digest contains the non-hex character \"@\""),
                arguments("a tag after the digest is refused", "nginx@" + SHA256 + ":1.0", INVALID_DIGEST,
                        "sha256 digest contains the non-hex character \":\""),
                arguments("a bare 64-hex string is refused as an image ID", SHA256_HEX, INVALID_FORMAT,
                        "a 64-character hexadecimal string is an image ID, not a repository name"),
                arguments("input longer than 4096 characters is refused before parsing", "a".repeat(4097),
                        INVALID_FORMAT, "image reference must not be more than 4096 characters, got 4097"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidReferences")
    void refusesInvalidReferences(String sentence, String input, Reason reason, String detail) {
        assertRefused(() -> ImageReference.parse(input), "image reference", input, reason, detail);
    }

    static Stream<Arguments> hostsAndPorts() {
        return Stream.of(
                arguments("the implied docker hub domain has no port", "nginx", "docker.io", null),
                arguments("localhost with a port splits into host and port", "localhost:5000/app", "localhost", 5000),
                arguments("an IPv6 host keeps its brackets and yields its port", "[::1]:5000/app", "[::1]", 5000),
                arguments("an IPv6 host without a port has no port", "[2001:db8::1]/app", "[2001:db8::1]", null),
                arguments("an uppercase host is returned as written", "Reg.Example:443/app", "Reg.Example", 443),
                arguments("port zero is read as a number", "reg.example:0/app", "reg.example", 0),
                arguments("leading zeros in the port are read as a number", "reg.example:05000/app", "reg.example",
                        5000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostsAndPorts")
    void splitsTheDomainIntoHostAndPort(String sentence, String input, String host, Integer port) {
        ImageReference ref = ImageReference.parse(input);

        assertThat(ref.host()).isEqualTo(host);
        assertThat(ref.port()).isEqualTo(Optional.ofNullable(port));
    }

    static Stream<Arguments> tagsAndDigests() {
        return Stream.of(
                arguments("no tag and no digest implies latest", "nginx", false, false, "latest", "latest"),
                arguments("a written tag is effective", "nginx:1.25", true, false, "1.25", "1.25"),
                arguments("a digest alone has no effective tag and is fetched by digest", "nginx@" + SHA256,
                        false, true, null, SHA256),
                arguments("a tag with a digest is fetched by digest", "nginx:1.25@" + SHA256, true, true, "1.25",
                        SHA256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tagsAndDigests")
    void tellsWrittenTagsFromImpliedOnes(String sentence, String input, boolean hasTag, boolean hasDigest,
                                         String effectiveTag, String manifestReference) {
        ImageReference ref = ImageReference.parse(input);

        assertThat(ref.hasTag()).isEqualTo(hasTag);
        assertThat(ref.tagOpt().isPresent()).isEqualTo(hasTag);
        assertThat(ref.hasDigest()).isEqualTo(hasDigest);
        assertThat(ref.digestOpt().map(Digest::toString)).isEqualTo(Optional.ofNullable(hasDigest ? SHA256 : null));
        assertThat(ref.effectiveTag()).isEqualTo(effectiveTag);
        assertThat(ref.manifestReference()).isEqualTo(manifestReference);
    }

    @Test
    void theConstructorNormalisesLikeParse() {
        ImageReference built = new ImageReference("index.docker.io", RepositoryPath.parse("nginx"), null, null);

        assertThat(built).isEqualTo(ImageReference.parse("nginx"));
        assertThat(built.domain()).isEqualTo("docker.io");
        assertThat(built.path().value()).isEqualTo("library/nginx");
    }

    @Test
    void theConstructorRefusesInvalidParts() {
        RepositoryPath app = RepositoryPath.parse("app");

        assertRefused(() -> new ImageReference("reg.example", app, "bad+tag", null), "image reference",
                "reg.example/app:bad+tag", INVALID_TAG,
                "tag may only contain letters, digits, '_', '.' and '-', got \"+\"");
        assertRefused(() -> new ImageReference("reg_example", app, null, null), "image reference",
                "reg_example/app", INVALID_DOMAIN,
                "registry host \"reg_example\" is invalid: use letters, digits and inner '-', in labels separated"
                        + " by single dots");
        assertRefused(() -> new ImageReference("", app, null, null), "image reference", "/app", INVALID_DOMAIN,
                "registry domain must not be empty");
        assertThatNullPointerException().isThrownBy(() -> new ImageReference(null, app, null, null));
        assertThatNullPointerException().isThrownBy(() -> ImageReference.parse(null));
    }

    @Test
    void withTagAndWithDigestReplaceOnlyThatPart() {
        ImageReference ref = ImageReference.parse("reg.example/app:1.0");

        ImageReference pinned = ref.withDigest(Digest.parse(SHA256));
        assertThat(pinned).hasToString("reg.example/app:1.0@" + SHA256);
        assertThat(pinned.withTag(null)).hasToString("reg.example/app@" + SHA256);
        assertThat(ref.withTag("2.0")).hasToString("reg.example/app:2.0");
        assertThat(ref.withTag(null)).isEqualTo(ImageReference.parse("reg.example/app"));
    }

    @Test
    void aRefusalMessageQuotesTheWholeInput() {
        assertThat(refusal(() -> ImageReference.parse("Nginx")))
                .hasMessage("invalid image reference \"Nginx\": repository name must be lowercase");
        assertThat(refusal(() -> ImageReference.parse("nginx\n")))
                .hasMessage("invalid image reference \"nginx\\n\": image reference must not contain whitespace or"
                        + " control characters (found one at character 6)");
    }

    @Test
    void aDigestRefusalInsideAReferenceNamesTheReferenceAndKeepsTheDigestCause() {
        InvalidReferenceException e = refusal(() -> ImageReference.parse("nginx@sha256:abc"));

        assertThat(e).hasMessage(
                "invalid image reference \"nginx@sha256:abc\": sha256 digest must have 64 hex characters, got 3");
        assertThat(e.input()).isEqualTo("nginx@sha256:abc");
        assertThat(e.getCause()).isInstanceOf(InvalidReferenceException.class)
                .hasMessage("invalid digest \"sha256:abc\": sha256 digest must have 64 hex characters, got 3");
    }

    @Test
    void aVeryLongInputIsShortenedInTheMessageButKeptWhole() {
        String input = "a".repeat(5000);
        InvalidReferenceException e = refusal(() -> ImageReference.parse(input));

        assertThat(e.input()).isEqualTo(input);
        assertThat(e).hasMessage("invalid image reference \"" + "a".repeat(512)
                + "\"... (5000 characters): image reference must not be more than 4096 characters, got 5000");
    }

    @Test
    void hostileInputOfTheMaximumLengthIsRefusedQuickly() {
        String[] hostile = {
            "a".repeat(4000) + "!/app",
            "a-".repeat(2000) + "!.x/app",
            "reg.example/" + "a-".repeat(127) + "!",
            "app:" + "a".repeat(4000) + "!",
            "[" + ":".repeat(4000) + "x]/app",
        };
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int round = 0; round < 50; round++) {
                for (String input : hostile) {
                    assertThat(refusal(() -> ImageReference.parse(input)).reason()).isNotNull();
                }
            }
        });
    }
}
