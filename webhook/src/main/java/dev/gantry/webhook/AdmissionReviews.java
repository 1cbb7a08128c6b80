package dev.gantry.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.webhook.PodImagePolicy.ContainerImage;
import dev.gantry.webhook.PodImagePolicy.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers one {@code admission.k8s.io/v1} AdmissionReview: reads the request kube-apiserver sent, decides by kind
 * (pods, workload templates, Gantry's own resources) and writes the response with the request's uid.
 */
@ApplicationScoped
public class AdmissionReviews {
    public static final String API_VERSION = "admission.k8s.io/v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** kube-apiserver shows a warning of up to this many characters; longer ones are cut with a note. */
    private static final int WARNING_MAX = 2000;

    @Inject
    PodImagePolicy policy;
    @Inject
    MeterRegistry meters;

    /** The response review, or {@link MalformedReviewException} when the body is not a review at all. */
    public ObjectNode answer(JsonNode review) {
        if (review == null || !review.isObject()) {
            throw new MalformedReviewException("expected an AdmissionReview JSON object");
        }
        if (!API_VERSION.equals(review.path("apiVersion").asText()) || !"AdmissionReview".equals(review.path("kind")
                .asText())) {
            throw new MalformedReviewException("expected apiVersion " + API_VERSION + " and kind AdmissionReview, got "
                    + review.path("apiVersion").asText("(none)") + " " + review.path("kind").asText("(none)"));
        }
        JsonNode request = review.path("request");
        String uid = request.path("uid").asText("");
        if (!request.isObject() || uid.isEmpty()) {
            throw new MalformedReviewException("the AdmissionReview has no request with a uid");
        }
        Decision decision;
        String kind = request.path("kind").path("kind").asText("");
        try {
            decision = decide(request);
        } catch (MalformedReviewException e) {
            decision = Decision.deny(e.getMessage());
        }
        meters.counter("gantry.webhook.admissions", "kind", kind.isEmpty() ? "unknown" : kind, "outcome",
                decision.allowed ? (decision.warnings.isEmpty() ? "allowed" : "warned") : "denied").increment();
        return response(uid, decision);
    }

    private Decision decide(JsonNode request) {
        String operation = request.path("operation").asText("");
        if (!"CREATE".equals(operation) && !"UPDATE".equals(operation)) {
            return Decision.allow(List.of()); // DELETE and CONNECT change no image
        }
        String group = request.path("kind").path("group").asText("");
        String kind = request.path("kind").path("kind").asText("");
        JsonNode object = request.path("object");
        if (!object.isObject()) {
            throw new MalformedReviewException("the request carries no object to check");
        }
        if (GantryResourceValidation.handles(group, kind)) {
            return GantryResourceValidation.refusal(kind, operation, object, request.get("oldObject"))
                    .map(Decision::deny).orElse(Decision.allow(List.of()));
        }
        if (!PodTemplates.handles(group, kind)) {
            throw new MalformedReviewException("the Gantry webhook does not check " + (group.isEmpty() ? "" : group
                    + "/") + kind + " (" + request.path("resource").path("resource").asText("?")
                    + "): its ValidatingWebhookConfiguration should not send it");
        }
        String namespace = request.path("namespace").asText(object.path("metadata").path("namespace").asText(""));
        if (namespace.isEmpty()) {
            throw new MalformedReviewException("the request names no namespace");
        }
        List<ContainerImage> images = PodTemplates.images(group, kind, object);
        if ("UPDATE".equals(operation)) {
            images = changed(images, PodTemplates.images(group, kind, request.get("oldObject")));
        }
        Verdict verdict = policy.check(namespace, images);
        if (verdict.allowed()) {
            return Decision.allow(verdict.warnings());
        }
        String subject = "Pod".equals(kind) ? "" : kind + " " + object.path("metadata").path("name").asText("")
                + ": ";
        return new Decision(false, subject + String.join("; ", verdict.problems()), verdict.warnings());
    }

    /**
     * On UPDATE only images that are new or changed are checked: a pod admitted under an older policy must still be
     * able to lose a finalizer or gain a label, or it could never terminate.
     */
    private static List<ContainerImage> changed(List<ContainerImage> now, List<ContainerImage> before) {
        Set<ContainerImage> previous = new HashSet<>(before);
        List<ContainerImage> changed = new ArrayList<>();
        for (ContainerImage image : now) {
            if (!previous.contains(image)) {
                changed.add(image);
            }
        }
        return changed;
    }

    private static ObjectNode response(String uid, Decision decision) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", API_VERSION).put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response").put("uid", uid).put("allowed", decision.allowed);
        if (!decision.allowed) {
            response.putObject("status").put("code", 403).put("reason", "Forbidden")
                    .put("message", decision.message);
        }
        if (!decision.warnings.isEmpty()) {
            var warnings = response.putArray("warnings");
            decision.warnings.forEach(w -> warnings.add(w.length() <= WARNING_MAX ? w
                    : w.substring(0, WARNING_MAX) + "… (cut)"));
        }
        return review;
    }

    private record Decision(boolean allowed, String message, List<String> warnings) {
        static Decision allow(List<String> warnings) {
            return new Decision(true, null, warnings);
        }

        static Decision deny(String message) {
            return new Decision(false, message, List.of());
        }
    }
}
