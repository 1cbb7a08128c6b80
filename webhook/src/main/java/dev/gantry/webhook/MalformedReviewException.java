package dev.gantry.webhook;

/** The request is not an AdmissionReview the webhook can read; answered with a message, never a stack trace. */
public class MalformedReviewException extends RuntimeException {
    public MalformedReviewException(String message) {
        super(message);
    }
}
