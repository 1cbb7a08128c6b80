package dev.gantry.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-style tests over generated references. The generator is seeded, so every run checks the same cases and
 * a failing case's name is enough to reproduce it.
 */
class ImageReferenceRoundTripTest {

    private static final long SEED = 0x6a6e7472795eL;
    private static final int GENERATED_CASES = 400;
    private static final int NOISE_CASES = 20_000;

    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String ALNUM = LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String WORD = ALNUM + "_";
    private static final String HEX = "0123456789abcdef";
    private static final String[] SEPARATORS = {".", "_", "__", "-", "--", "---"};
    private static final String[] FIXED_DOMAINS = {"docker.io", "index.docker.io", "localhost", "localhost:5000",
        "[::1]", "[::1]:5000", "[2001:db8::1]", "[FE80::a:B]:443", "127.0.0.1:5000"};

    /** The parts a generated reference was written from; {@code domain == null} leaves it to Docker Hub. */
    record Written(String domain, String path, String tag, String digest) {

        String text() {
            return (domain == null ? "" : domain + "/") + path + (tag == null ? "" : ":" + tag)
                    + (digest == null ? "" : "@" + digest);
        }

        String expectedDomain() {
            return domain == null || domain.equals("index.docker.io") ? "docker.io" : domain;
        }

        String expectedPath() {
            return expectedDomain().equals("docker.io") && !path.contains("/") ? "library/" + path : path;
        }
    }

    static Stream<Arguments> generatedReferences() {
        Random random = new Random(SEED);
        return IntStream.range(0, GENERATED_CASES).mapToObj(i -> {
            Written written = written(random);
            return arguments("the reference \"" + written.text() + "\" parses into its parts and round-trips",
                    written);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generatedReferences")
    void parsingRecoversThePartsAndTheCanonicalFormRoundTrips(String sentence, Written written) {
        ImageReference ref = ImageReference.parse(written.text());

        assertThat(ref.domain()).as("domain").isEqualTo(written.expectedDomain());
        assertThat(ref.path().value()).as("path").isEqualTo(written.expectedPath());
        assertThat(ref.tag()).as("tag").isEqualTo(written.tag());
        assertThat(ref.digest() == null ? null : ref.digest().toString()).as("digest").isEqualTo(written.digest());

        ImageReference reparsed = ImageReference.parse(ref.toString());
        // toString() spells out the implied ":latest"; only then does the reparsed reference carry a tag it lacked.
        ImageReference expected = ref.hasTag() || ref.hasDigest() ? ref : ref.withTag("latest");
        assertThat(reparsed).as("reparsed canonical form").isEqualTo(expected);
        assertThat(reparsed).as("canonical form is a fixed point").hasToString(ref.toString());
    }

    @Test
    void anyGeneratedStringIsEitherParsedStablyOrRefusedWithAnInvalidReferenceException() {
        Random random = new Random(SEED + 1);
        int parsed = 0;
        for (int i = 0; i < NOISE_CASES; i++) {
            String input = noise(random);
            ImageReference ref;
            try {
                ref = ImageReference.parse(input);
            } catch (InvalidReferenceException e) {
                assertThat(e.input()).as("input of %s", e).isEqualTo(input);
                assertThat(e.getMessage()).as("message for %s", input)
                        .startsWith("invalid image reference \"").doesNotContain("\n");
                continue;
            } catch (RuntimeException e) {
                fail("parse(\"%s\") threw %s instead of InvalidReferenceException", input, e);
                return;
            }
            parsed++;
            assertThat(ImageReference.parse(ref.toString())).as("reparse of %s", input).hasToString(ref.toString());
        }
        // The mutations must exercise both outcomes, or the test proves little.
        assertThat(parsed).isBetween(NOISE_CASES / 20, NOISE_CASES - NOISE_CASES / 20);
    }

    private static Written written(Random random) {
        while (true) {
            String domain = random.nextInt(10) < 3 ? null : domain(random);
            String path = path(random);
            String tag = random.nextInt(10) < 4 ? null : tag(random);
            String digest = random.nextBoolean() ? null : digest(random);
            // Without a domain, a first component that looks like one would be read as the domain instead.
            int slash = path.indexOf('/');
            if (domain == null && slash >= 0 && Domains.looksLikeDomain(path.substring(0, slash))) {
                continue;
            }
            return new Written(domain, path, tag, digest);
        }
    }

    private static String domain(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> {
                List<String> labels = new ArrayList<>();
                for (int i = 0, n = 2 + random.nextInt(2); i < n; i++) {
                    labels.add(label(random));
                }
                String host = String.join(".", labels);
                yield random.nextBoolean() ? host : host + ":" + random.nextInt(65_536);
            }
            case 1 -> label(random) + ":" + random.nextInt(65_536);
            default -> FIXED_DOMAINS[random.nextInt(FIXED_DOMAINS.length)];
        };
    }

    private static String label(Random random) {
        if (random.nextBoolean()) {
            return chars(random, ALNUM, 1);
        }
        return chars(random, ALNUM, 1) + chars(random, ALNUM + "-", random.nextInt(9)) + chars(random, ALNUM, 1);
    }

    private static String path(Random random) {
        List<String> components = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            StringBuilder component = new StringBuilder(chars(random, LOWER_ALNUM, 1 + random.nextInt(8)));
            for (int j = 0, atoms = random.nextInt(3); j < atoms; j++) {
                component.append(SEPARATORS[random.nextInt(SEPARATORS.length)])
                        .append(chars(random, LOWER_ALNUM, 1 + random.nextInt(8)));
            }
            components.add(component.toString());
        }
        return String.join("/", components);
    }

    private static String tag(Random random) {
        // Lengths 1 and 128 are the edges, so they are drawn often.
        int length = switch (random.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 128;
            default -> 1 + random.nextInt(128);
        };
        return chars(random, WORD, 1) + chars(random, WORD + ".-", length - 1);
    }

    private static String digest(Random random) {
        return random.nextBoolean() ? "sha256:" + chars(random, HEX, 64) : "sha512:" + chars(random, HEX, 128);
    }

    /** A valid reference with a few characters inserted, deleted or replaced, or plain random text. */
    private static String noise(Random random) {
        if (random.nextInt(4) == 0) {
            return chars(random, "abcAB09-_.:/@[]+ \n\u00e9", random.nextInt(40));
        }
        StringBuilder text = new StringBuilder(written(random).text());
        for (int i = 0, edits = 1 + random.nextInt(3); i < edits; i++) {
            int at = random.nextInt(text.length() + 1);
            String c = chars(random, ":/@.-_[]Aa1 ", 1);
            switch (random.nextInt(3)) {
                case 0 -> text.insert(at, c);
                case 1 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                default -> {
                    if (at < text.length()) {
                        text.replace(at, at + 1, c);
                    }
                }
            }
        }
        return text.toString();
    }

    private static String chars(Random random, String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
