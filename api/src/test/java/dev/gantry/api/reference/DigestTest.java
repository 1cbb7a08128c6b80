package dev.gantry.api.reference;

import static dev.gantry.api.reference.InvalidReferenceException.Reason.INVALID_DIGEST;
import static dev.gantry.api.reference.InvalidReferenceException.Reason.UNSUPPORTED_DIGEST_ALGORITHM;
import static dev.gantry.api.reference.Refusals.SHA256;
import static dev.gantry.api.reference.Refusals.SHA256_HEX;
import static dev.gantry.api.reference.Refusals.SHA512;
import static dev.gantry.api.reference.Refusals.SHA512_HEX;
import static dev.gantry.api.reference.Refusals.assertRefused;
import static dev.gantry.api.reference.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gantry.api.reference.InvalidReferenceException.Reason;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {

    static Stream<Arguments> validDigests() {
        return Stream.of(
                arguments("a sha256 digest with 64 lowercase hex characters is accepted", SHA256, "sha256", SHA256_HEX),
                arguments("a sha512 digest with 128 lowercase hex characters is accepted", SHA512, "sha512",
                        SHA512_HEX),
                arguments("an all-zero sha256 digest is accepted", "sha256:" + "0".repeat(64), "sha256",
                        "0".repeat(64)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validDigests")
    void parsesValidDigests(String sentence, String input, String algorithm, String encoded) {
        Digest digest = Digest.parse(input);

        assertThat(digest.algorithm()).isEqualTo(algorithm);
        assertThat(digest.encoded()).isEqualTo(encoded);
        assertThat(digest).hasToString(input);
        assertThat(digest).isEqualTo(new Digest(algorithm, encoded));
        assertThat(Digest.isValid(input)).isTrue();
    }

    static Stream<Arguments> invalidDigests() {
        String form = "digest must have the form <algorithm>:<hex>, e.g. sha256:<64 hex characters>";
        return Stream.of(
                arguments("an empty string is refused for lacking the colon", "", INVALID_DIGEST, form),
                arguments("an algorithm without a colon is refused", "sha256", INVALID_DIGEST, form),
                arguments("bare hex without an algorithm is refused", SHA256_HEX, INVALID_DIGEST, form),
                arguments("nothing before the colon is refused", ":" + SHA256_HEX, INVALID_DIGEST,
                        "digest algorithm is missing before ':'"),
                arguments("md5 is refused as an unsupported algorithm", "md5:" + "a".repeat(32),
                        UNSUPPORTED_DIGEST_ALGORITHM,
                        "unsupported digest algorithm \"md5\" (supported: sha256, sha512)"),
                arguments("sha384 is refused as an unsupported algorithm", "sha384:" + "a".repeat(96),
                        UNSUPPORTED_DIGEST_ALGORITHM,
                        "unsupported digest algorithm \"sha384\" (supported: sha256, sha512)"),
                arguments("a well-formed multi-part algorithm is refused as unsupported", "sha256+b64u:abc",
                        UNSUPPORTED_DIGEST_ALGORITHM,
                        "unsupported digest algorithm \"sha256+b64u\" (supported: sha256, sha512)"),
                arguments("an uppercase algorithm name is refused with a hint", "SHA256:" + SHA256_HEX, INVALID_DIGEST,
                        "digest algorithm must be lowercase, use \"sha256\""),
                arguments("an algorithm ending in a separator is refused as malformed", "sha256+:" + SHA256_HEX,
                        INVALID_DIGEST, "digest algorithm \"sha256+\" is malformed"),
                arguments("an algorithm with a space is refused as malformed", "sha 256:" + SHA256_HEX, INVALID_DIGEST,
                        "digest algorithm \"sha 256\" is malformed"),
                arguments("a sha256 digest one hex character short is refused", "sha256:" + SHA256_HEX.substring(1),
                        INVALID_DIGEST, "sha256 digest must have 64 hex characters, got 63"),
                arguments("a sha256 digest one hex character long is refused", SHA256 + "0", INVALID_DIGEST,
                        "sha256 digest must have 64 hex characters, got 65"),
                arguments("a sha256 digest with a sha512 length is refused", "sha256:" + SHA512_HEX, INVALID_DIGEST,
                        "sha256 digest must have 64 hex characters, got 128"),
                arguments("a sha512 digest with a sha256 length is refused", "sha512:" + SHA256_HEX, INVALID_DIGEST,
                        "sha512 digest must have 128 hex characters, got 64"),
                arguments("a sha256 digest with no hex at all is refused", "sha256:", INVALID_DIGEST,
                        "sha256 digest must have 64 hex characters, got 0"),
                arguments("uppercase hex is refused", "sha256:" + SHA256_HEX.toUpperCase(), INVALID_DIGEST,
                        "sha256 digest hex must be lowercase"),
                arguments("a non-hex letter is refused and named", "sha256:" + SHA256_HEX.substring(1) + "g",
                        INVALID_DIGEST, "sha256 digest contains the non-hex character \"g\""),
                arguments("a second colon is refused as a non-hex character", "sha256:abc:def", INVALID_DIGEST,
                        "sha256 digest contains the non-hex character \":\""),
                arguments("a trailing newline is refused and shown escaped", SHA256 + "\n", INVALID_DIGEST,
                        "sha256 digest contains the non-hex character \"\\n\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDigests")
    void refusesInvalidDigests(String sentence, String input, Reason reason, String detail) {
        assertRefused(() -> Digest.parse(input), "digest", input, reason, detail);
        assertThat(Digest.isValid(input)).isFalse();
    }

    @Test
    void aRefusalMessageIsAReadableSentenceQuotingTheInput() {
        InvalidReferenceException e = refusal(() -> Digest.parse("sha256:abc"));

        assertThat(e.getMessage())
                .isEqualTo("invalid digest \"sha256:abc\": sha256 digest must have 64 hex characters, got 3");
    }

    @Test
    void theConstructorValidatesLikeParse() {
        assertRefused(() -> new Digest("sha256", "abc"), "digest", "sha256:abc", INVALID_DIGEST,
                "sha256 digest must have 64 hex characters, got 3");
        assertRefused(() -> new Digest("md5", "abc"), "digest", "md5:abc", UNSUPPORTED_DIGEST_ALGORITHM,
                "unsupported digest algorithm \"md5\" (supported: sha256, sha512)");
    }

    @Test
    void nullIsNotAValidDigest() {
        assertThat(Digest.isValid(null)).isFalse();
    }
}
