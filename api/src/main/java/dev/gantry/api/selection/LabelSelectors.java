package dev.gantry.api.selection;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes label-selector semantics, for deciding which Environment a namespace belongs to. The operator and the
 * webhook must agree exactly, and neither may ask the API server per decision (the webhook's hot path; the Fabric8
 * mock ignores {@code In}/{@code NotIn}), so both evaluate selectors here.
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    /**
     * Whether {@code labels} satisfy {@code selector}: every matchLabels pair and every expression. As in Kubernetes,
     * an empty selector matches everything and a null one nothing; an unknown operator matches nothing, so a typo
     * (refused by the validators anyway) never widens an environment.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        Map<String, String> required = selector.getMatchLabels();
        if (required != null) {
            for (Map.Entry<String, String> e : required.entrySet()) {
                if (!e.getValue().equals(actual.get(e.getKey()))) {
                    return false;
                }
            }
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        if (expressions != null) {
            for (LabelSelectorRequirement requirement : expressions) {
                if (!satisfies(requirement, actual)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean satisfies(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        String operator = requirement.getOperator() == null ? "" : requirement.getOperator();
        return switch (operator) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> labels.containsKey(requirement.getKey());
            case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
            default -> false;
        };
    }
}
