package dev.gantry.api.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared fixtures and assertions for the reference tests. */
final class Refusals {

    static final String SHA256_HEX = "3014637776d42a85266a46eecaa689d23eed6e49a3cea1f282afce1001b796c7";
    static final String SHA512_HEX = "302e4f6b216531595dd97b012b8869d9a0659edf6d9746f32da676b5e129ae7c"
            + "0308f3f23111f8884ab65deb7731fef4ecc14667b7182832f524143037b06121";
    static final String SHA256 = "sha256:" + SHA256_HEX;
    static final String SHA512 = "sha512:" + SHA512_HEX;

    private Refusals() {
    }

    /** Runs {@code call}, asserts it threw {@link InvalidReferenceException} and returns it. */
    static InvalidReferenceException refusal(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(InvalidReferenceException.class);
        return (InvalidReferenceException) thrown;
    }

    /** Asserts the exact reason, input, detail and the composed message. */
    static void assertRefused(ThrowingCallable call, String subject, String input,
                              InvalidReferenceException.Reason reason, String detail) {
        InvalidReferenceException e = refusal(call);
        assertThat(e.reason()).as("reason").isEqualTo(reason);
        assertThat(e.input()).as("input").isEqualTo(input);
        assertThat(e.detail()).as("detail").isEqualTo(detail);
        assertThat(e.getMessage()).as("message")
                .isEqualTo("invalid " + subject + " " + InvalidReferenceException.quote(input) + ": " + detail);
    }
}
