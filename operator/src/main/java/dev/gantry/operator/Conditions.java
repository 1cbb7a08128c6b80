package dev.gantry.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Status conditions as Kubernetes tools read them: one per type, {@code lastTransitionTime} moving only when the
 * status flips (so {@code kubectl wait} and dashboards see real transitions, not every resync).
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String SUCCEEDED = "Succeeded";

    private Conditions() {
    }

    /** A copy of {@code current} with the condition of {@code type} set. */
    public static List<Condition> with(List<Condition> current, String type, boolean status, String reason,
            String message, Long generation) {
        List<Condition> next = new ArrayList<>();
        String wire = status ? "True" : "False";
        String transition = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (Condition c : current == null ? List.<Condition>of() : current) {
            if (type.equals(c.getType())) {
                if (wire.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    transition = c.getLastTransitionTime();
                }
            } else {
                next.add(c);
            }
        }
        next.add(new ConditionBuilder().withType(type).withStatus(wire).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(transition).build());
        return next;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type) != null && "True".equals(find(conditions, type).getStatus());
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
