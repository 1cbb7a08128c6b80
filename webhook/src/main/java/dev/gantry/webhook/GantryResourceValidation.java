package dev.gantry.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.validation.EnvironmentValidator;
import dev.gantry.api.validation.FieldErrors;
import dev.gantry.api.validation.PromotionValidator;
import dev.gantry.api.validation.RegistryValidator;
import java.util.Optional;

/**
 * Gantry's own resources checked with the same validators the operator uses, so the rules (immutable Promotion
 * specs, a Registry's type-specific fields, ...) hold even where the API server cannot evaluate the CRDs' CEL.
 */
public final class GantryResourceValidation {
    public static final String GROUP = Registry.GROUP;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private GantryResourceValidation() {
    }

    public static boolean handles(String group, String kind) {
        return GROUP.equals(group) && ("Registry".equals(kind) || "Promotion".equals(kind)
                || "Environment".equals(kind));
    }

    /** The refusal, if any: field paths with what is wrong. */
    public static Optional<String> refusal(String kind, String operation, JsonNode object, JsonNode oldObject) {
        boolean update = "UPDATE".equals(operation) && oldObject != null && oldObject.isObject();
        FieldErrors errors = switch (kind) {
            case "Registry" -> update
                    ? RegistryValidator.validateUpdate(read(oldObject, Registry.class), read(object, Registry.class))
                    : RegistryValidator.validate(read(object, Registry.class));
            case "Promotion" -> update
                    ? PromotionValidator.validateUpdate(read(oldObject, Promotion.class), read(object, Promotion.class))
                    : PromotionValidator.validate(read(object, Promotion.class));
            case "Environment" -> EnvironmentValidator.validate(read(object, Environment.class));
            default -> throw new IllegalArgumentException(kind);
        };
        return errors.isEmpty() ? Optional.empty() : Optional.of(kind + " " + name(object) + " is invalid: "
                + errors.summary());
    }

    private static <T> T read(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedReviewException("the " + type.getSimpleName() + " in the request cannot be read: "
                    + e.getOriginalMessage());
        }
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText("");
    }
}
