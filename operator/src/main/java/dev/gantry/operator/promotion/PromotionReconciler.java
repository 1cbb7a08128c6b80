package dev.gantry.operator.promotion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.PromotionStatus;
import dev.gantry.api.validation.FieldErrors;
import dev.gantry.api.validation.PromotionValidator;
import dev.gantry.operator.Conditions;
import dev.gantry.operator.EventReason;
import dev.gantry.operator.Events;
import dev.gantry.operator.OperatorMetrics;
import dev.gantry.operator.Statuses;
import dev.gantry.operator.client.RegistryClient;
import dev.gantry.operator.client.RegistryException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Carries out a Promotion once. The resource's UID is the registry's idempotency key, so a retry after a lost answer
 * cannot promote twice, and a finished Promotion (Succeeded or Failed) is never acted on again: re-applying it from
 * Git changes nothing, deleting it does not un-promote. The registry's refusals are final and shown with its error
 * code as the reason; failures to reach it are retried with backoff while the Promotion stays Pending.
 */
@ApplicationScoped
@ControllerConfiguration(name = "promotion")
public class PromotionReconciler implements Reconciler<Promotion> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RegistryClient registryServer;
    @Inject
    Events events;
    @Inject
    OperatorMetrics metrics;

    @Override
    public UpdateControl<Promotion> reconcile(Promotion promotion, Context<Promotion> context) {
        PromotionStatus current = promotion.getStatus();
        if (current != null && (current.getPhase() == PromotionPhase.SUCCEEDED
                || current.getPhase() == PromotionPhase.FAILED)) {
            return UpdateControl.noUpdate();
        }
        PromotionStatus status = Statuses.copy(current, PromotionStatus.class, PromotionStatus::new);
        status.setObservedGeneration(promotion.getMetadata().getGeneration());
        FieldErrors errors = PromotionValidator.validate(promotion);
        if (!errors.isEmpty()) {
            return failed(promotion, status, "InvalidSpec", errors.summary());
        }
        RegistryClient.PromotionRecord record;
        try {
            record = registryServer.promote(request(promotion));
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw e;
            }
            return failed(promotion, status, e.code(), e.getMessage());
        }
        PromotionSpec spec = promotion.getSpec();
        String message = "promoted " + spec.getRepository() + "@" + record.digest() + " from " + spec.getFrom()
                + " to " + spec.getTo() + (record.tags().isEmpty() ? "" : " as " + String.join(", ", record.tags()));
        status.setPhase(PromotionPhase.SUCCEEDED);
        status.setDigest(record.digest());
        status.setPromotedAt(record.promotedAt() == null ? null : record.promotedAt().toString());
        status.setMessage(message);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.SUCCEEDED, true, "Promoted", message,
                promotion.getMetadata().getGeneration()));
        events.record(promotion, EventReason.Promoted, message);
        metrics.promotion("succeeded");
        return Statuses.patchIfChanged(promotion, status);
    }

    /** Transient failures: stay Pending, say why, and let the SDK retry with backoff. */
    @Override
    public ErrorStatusUpdateControl<Promotion> updateErrorStatus(Promotion promotion, Context<Promotion> context,
            Exception e) {
        PromotionStatus status = Statuses.copy(promotion.getStatus(), PromotionStatus.class, PromotionStatus::new);
        String reason = e instanceof RegistryException r ? r.code() : "ReconcileError";
        int attempt = context.getRetryInfo().map(r -> r.getAttemptCount()).orElse(1);
        String message = e.getMessage() + " (attempt " + attempt + ", retrying)";
        status.setPhase(PromotionPhase.PENDING);
        status.setMessage(message);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.SUCCEEDED, false, reason, message,
                promotion.getMetadata().getGeneration()));
        events.record(promotion, EventReason.PromotionRetrying, message);
        metrics.promotion("retried");
        promotion.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(promotion);
    }

    private UpdateControl<Promotion> failed(Promotion promotion, PromotionStatus status, String reason,
            String message) {
        status.setPhase(PromotionPhase.FAILED);
        status.setMessage(message);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.SUCCEEDED, false, reason, message,
                promotion.getMetadata().getGeneration()));
        events.record(promotion, "InvalidSpec".equals(reason) ? EventReason.InvalidSpec : EventReason.PromotionFailed,
                reason + ": " + message);
        metrics.promotion("failed");
        return Statuses.patchIfChanged(promotion, status);
    }

    private static ObjectNode request(Promotion promotion) {
        PromotionSpec spec = promotion.getSpec();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", promotion.getMetadata().getUid());
        body.put("repository", spec.getRepository());
        body.put("from", spec.getFrom());
        body.put("to", spec.getTo());
        if (spec.getDigest() != null) {
            body.put("digest", spec.getDigest());
        }
        if (spec.getTag() != null) {
            body.put("tag", spec.getTag());
        }
        if (spec.getExpectedDigest() != null) {
            body.put("expectedDigest", spec.getExpectedDigest());
        }
        if (spec.getTargetTags() != null) {
            spec.getTargetTags().forEach(body.putArray("targetTags")::add);
        }
        body.put("withReferrers", spec.referrersIncluded());
        return body;
    }
}
