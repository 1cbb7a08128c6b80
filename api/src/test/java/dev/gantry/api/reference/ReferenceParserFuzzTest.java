package dev.gantry.api.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hostile input for the reference grammar (issue 9). Each target states what must hold for <em>any</em> input: a
 * refusal is an {@link InvalidReferenceException} with a readable message, never another exception; what is accepted
 * follows the grammar, re-renders and re-parses to an equal value.
 *
 * <p>Plain builds replay the committed inputs under {@code src/test/resources/.../ReferenceParserFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes one target (README, "Fuzzing").
 */
class ReferenceParserFuzzTest {

    // CNCF Distribution's reference grammar (reference/regexp.go), written out independently of the parser under test.
    // Gantry is stricter (sha256/sha512 only, ports up to 65535, 255-character names), never looser, so everything it
    // accepts must match these.
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String PATH = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT
            + ")*|\\[[a-fA-F0-9:]+])(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})";
    private static final Pattern DISTRIBUTION_REFERENCE = Pattern.compile(
            "(?:" + DOMAIN + "/)?" + PATH + "(?::" + TAG + ")?(?:@" + DIGEST + ")?");
    private static final Pattern PATH_GRAMMAR = Pattern.compile(PATH);
    private static final Pattern DOMAIN_GRAMMAR = Pattern.compile(DOMAIN);
    private static final Pattern TAG_GRAMMAR = Pattern.compile(TAG);
    private static final Pattern DIGEST_GRAMMAR = Pattern.compile(DIGEST);

    private static final Set<Reason> DIGEST_REASONS = EnumSet.of(Reason.INVALID_DIGEST,
            Reason.UNSUPPORTED_DIGEST_ALGORITHM);
    private static final Set<Reason> PATH_REASONS = EnumSet.of(Reason.NAME_EMPTY, Reason.NAME_TOO_LONG,
            Reason.NAME_CONTAINS_UPPERCASE, Reason.INVALID_FORMAT);

    @FuzzTest
    @DictionaryEntries({"sha256:", "sha512:", "@sha256:", "docker.io/", "index.docker.io/", "library/", "localhost",
        "localhost:5000/", "[::1]:5000/", "]:", ":latest", "__", "--", "/./", "/../", "//", "\u00e9", "\u202e"})
    void anyTextIsParsedIntoAGrammaticalReferenceOrRefusedWithAReason(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (InvalidReferenceException e) {
            assertReadableRefusal(e, "image reference", text);
            return;
        }
        assertThat(text).as("accepted input follows Distribution's reference grammar")
                .matches(DISTRIBUTION_REFERENCE);
        assertGrammatical(ref);

        ImageReference reparsed = ImageReference.parse(ref.toString());
        // toString() spells out the implied ":latest": only then does the reparsed value carry a tag the first lacked.
        assertThat(reparsed).as("re-parse of %s", ref)
                .isEqualTo(ref.hasTag() || ref.hasDigest() ? ref : ref.withTag(ImageReference.DEFAULT_TAG));
        assertThat(reparsed.toString()).as("canonical form is a fixed point").isEqualTo(ref.toString());
        ImageReference byName = ImageReference.parse(ref.name());
        assertThat(byName.domain()).as("domain of name()").isEqualTo(ref.domain());
        assertThat(byName.path()).as("path of name()").isEqualTo(ref.path());
        assertThat(new ImageReference(ref.domain(), ref.path(), ref.tag(), ref.digest()))
                .as("the constructor keeps a normalised value").isEqualTo(ref);
    }

    @FuzzTest
    @DictionaryEntries({"sha256:", "sha512:", "SHA256:", "sha384:", "+", "0123456789abcdef", "ABCDEF"})
    void anyTextIsParsedIntoACanonicalDigestOrRefusedWithAReason(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Digest digest;
        try {
            digest = Digest.parse(text);
        } catch (InvalidReferenceException e) {
            assertReadableRefusal(e, "digest", text);
            assertThat(e.reason()).as("reason for %s", text).isIn(DIGEST_REASONS);
            assertThat(Digest.isValid(text)).isFalse();
            return;
        }
        // Digests are storage keys: only the canonical spelling is accepted, so it is exactly the input.
        assertThat(digest.toString()).isEqualTo(text).matches(DIGEST_GRAMMAR);
        assertThat(digest.encoded()).hasSize(Digest.SHA256.equals(digest.algorithm()) ? 64 : 128);
        assertThat(Digest.isValid(text)).isTrue();
        assertThat(new Digest(digest.algorithm(), digest.encoded())).isEqualTo(digest);
    }

    @FuzzTest
    @DictionaryEntries({"/", "//", "./", "../", "__", "___", "--", ".", "_"})
    void anyTextIsParsedIntoAGrammaticalRepositoryPathOrRefusedWithAReason(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        RepositoryPath path;
        try {
            path = RepositoryPath.parse(text);
        } catch (InvalidReferenceException e) {
            assertReadableRefusal(e, "repository name", text);
            assertThat(e.reason()).as("reason for %s", text).isIn(PATH_REASONS);
            return;
        }
        assertThat(path.value()).isEqualTo(text).matches(PATH_GRAMMAR).hasSizeLessThanOrEqualTo(
                RepositoryPath.MAX_LENGTH);
        assertThat(String.join("/", path.components())).isEqualTo(text);
        assertThat(path.first()).isEqualTo(path.components().getFirst());
        assertThat(path.rest().map(rest -> path.first() + "/" + rest.value()).orElse(path.first())).isEqualTo(text);
    }

    /**
     * Builds references from grammatical parts (domain or none, path, tag, digest), so the fuzzer reaches deep
     * combinations the raw-text target rarely assembles; checks they are accepted exactly when the length limits
     * allow, with their parts intact.
     */
    @FuzzTest
    void referencesWrittenFromGrammaticalPartsAreAcceptedWithTheirParts(FuzzedDataProvider data) {
        String domain = data.consumeBoolean() ? null : domain(data);
        String path = path(data);
        String tag = data.consumeBoolean() ? null : tag(data);
        String digest = data.consumeBoolean() ? null : digest(data);
        if (domain != null && !Domains.looksLikeDomain(domain)) {
            path = domain + "/" + path; // a lowercase label without '.' or ':' is a Docker Hub namespace
            domain = null;
        }
        int slash = path.indexOf('/');
        if (domain == null && slash >= 0 && Domains.looksLikeDomain(path.substring(0, slash))) {
            domain = "localhost"; // a first component that looks like a domain would be read as one
        }
        String text = (domain == null ? "" : domain + "/") + path + (tag == null ? "" : ":" + tag)
                + (digest == null ? "" : "@" + digest);

        String expectedDomain = domain == null || domain.equals(ImageReference.LEGACY_DOCKER_HUB_DOMAIN)
                ? ImageReference.DOCKER_HUB_DOMAIN : domain;
        String expectedPath = expectedDomain.equals(ImageReference.DOCKER_HUB_DOMAIN) && !path.contains("/")
                ? "library/" + path : path;
        boolean imageId = domain == null && tag == null && digest == null && path.matches("[a-f0-9]{64}");
        boolean fits = path.length() <= RepositoryPath.MAX_LENGTH
                && expectedDomain.length() + 1 + expectedPath.length() <= ImageReference.MAX_NAME_LENGTH
                && !imageId && portFits(domain);
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (InvalidReferenceException e) {
            assertThat(fits).as("%s refused although it fits every limit: %s", text, e.getMessage()).isFalse();
            assertReadableRefusal(e, "image reference", text);
            return;
        }
        assertThat(fits).as("%s accepted although it breaks a limit", text).isTrue();
        assertThat(ref.domain()).as("domain of %s", text).isEqualTo(expectedDomain);
        assertThat(ref.path().value()).as("path of %s", text).isEqualTo(expectedPath);
        assertThat(ref.tag()).as("tag of %s", text).isEqualTo(tag);
        assertThat(ref.digest() == null ? null : ref.digest().toString()).as("digest of %s", text).isEqualTo(digest);
        assertGrammatical(ref);
    }

    private static void assertGrammatical(ImageReference ref) {
        assertThat(ref.domain()).as("domain").matches(DOMAIN_GRAMMAR).isNotEqualTo(
                ImageReference.LEGACY_DOCKER_HUB_DOMAIN);
        ref.port().ifPresent(port -> assertThat(port).as("port").isBetween(0, 65_535));
        assertThat(ref.path().value()).as("path").matches(PATH_GRAMMAR)
                .hasSizeLessThanOrEqualTo(RepositoryPath.MAX_LENGTH);
        assertThat(ref.name()).as("name").hasSizeLessThanOrEqualTo(ImageReference.MAX_NAME_LENGTH);
        if (ref.domain().equals(ImageReference.DOCKER_HUB_DOMAIN)) {
            assertThat(ref.path().value()).as("Docker Hub path").contains("/");
        }
        if (ref.tag() != null) {
            assertThat(ref.tag()).as("tag").matches(TAG_GRAMMAR);
        }
        if (ref.digest() != null) {
            assertThat(ref.digest().toString()).as("digest").matches(DIGEST_GRAMMAR);
        }
        assertThat(ref.manifestReference()).isEqualTo(ref.digest() != null ? ref.digest().toString()
                : ref.tag() != null ? ref.tag() : ImageReference.DEFAULT_TAG);
    }

    /** A refusal names the whole input and says why, in a message that cannot hide or forge text. */
    private static void assertReadableRefusal(InvalidReferenceException e, String subject, String input) {
        assertThat(e.reason()).as("reason").isNotNull();
        assertThat(e.input()).as("input").isEqualTo(input);
        assertThat(e.detail()).as("detail").isNotBlank();
        assertThat(e.getMessage()).as("message").startsWith("invalid " + subject + " \"")
                .doesNotContainPattern("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]")
                // at most two quotations (input, component) of 512 characters, each escaped to at most 6
                .hasSizeLessThan(16 * InvalidReferenceException.MAX_QUOTED_LENGTH);
    }

    private static boolean portFits(String domain) {
        if (domain == null) {
            return true;
        }
        int colon = domain.lastIndexOf(':');
        if (colon < 0 || domain.lastIndexOf(']') > colon) {
            return true;
        }
        String port = domain.substring(colon + 1);
        return port.length() <= 5 && Integer.parseInt(port) <= 65_535;
    }

    private static String domain(FuzzedDataProvider data) {
        String port = data.consumeBoolean() ? "" : ":" + digits(data, 1 + data.consumeInt(0, 6));
        return switch (data.consumeInt(0, 3)) {
            case 0 -> "localhost" + port;
            // a bracketed host is taken for a domain only by its ':' (as in Distribution), so one is always there
            case 1 -> "[" + chars(data, "0123456789abcdefABCDEF:", 0, 19) + ":"
                    + chars(data, "0123456789abcdefABCDEF:", 0, 19) + "]" + port;
            case 2 -> ImageReference.LEGACY_DOCKER_HUB_DOMAIN;
            default -> {
                StringBuilder host = new StringBuilder(label(data));
                for (int i = 0, n = data.consumeInt(0, 3); i < n; i++) {
                    host.append('.').append(label(data));
                }
                yield host + port;
            }
        };
    }

    private static String label(FuzzedDataProvider data) {
        String alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        String middle = chars(data, alnum + "-", 0, 20);
        return chars(data, alnum, 1, 1) + (middle.isEmpty() ? "" : middle + chars(data, alnum, 1, 1));
    }

    private static String path(FuzzedDataProvider data) {
        String lower = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder path = new StringBuilder();
        for (int i = 0, n = data.consumeInt(1, 5); i < n; i++) {
            if (i > 0) {
                path.append('/');
            }
            path.append(chars(data, lower, 1, 70));
            for (int j = 0, atoms = data.consumeInt(0, 3); j < atoms; j++) {
                path.append(data.pickValue(new String[] {".", "_", "__", "-", "--", "----"}))
                        .append(chars(data, lower, 1, 30));
            }
        }
        return path.toString();
    }

    private static String tag(FuzzedDataProvider data) {
        String word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        return chars(data, word, 1, 1) + chars(data, word + ".-", 0, 127);
    }

    private static String digest(FuzzedDataProvider data) {
        boolean sha256 = data.consumeBoolean();
        return (sha256 ? "sha256:" : "sha512:") + chars(data, "0123456789abcdef", sha256 ? 64 : 128, sha256 ? 64 : 128);
    }

    private static String digits(FuzzedDataProvider data, int length) {
        return chars(data, "0123456789", length, length);
    }

    private static String chars(FuzzedDataProvider data, String alphabet, int min, int max) {
        int length = data.consumeInt(min, max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(data.consumeInt(0, alphabet.length() - 1)));
        }
        return out.toString();
    }
}
