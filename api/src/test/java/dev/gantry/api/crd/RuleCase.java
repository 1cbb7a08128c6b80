package dev.gantry.api.crd;

import dev.gantry.api.validation.FieldErrors;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * One row of a rule table: an object (and, for updates, its previous version), the field paths that must be refused,
 * and whether the rule lives only in Java (rules CEL cannot afford; see the validators).
 */
record RuleCase<T extends HasMetadata>(String sentence, T object, T old, Set<String> refused, boolean javaOnly) {

    static <T extends HasMetadata> RuleCase<T> create(String sentence, T object, String... refused) {
        return new RuleCase<>(sentence, object, null, Set.of(refused), false);
    }

    static <T extends HasMetadata> RuleCase<T> update(String sentence, T old, T object, String... refused) {
        return new RuleCase<>(sentence, object, old, Set.of(refused), false);
    }

    static <T extends HasMetadata> RuleCase<T> javaOnly(String sentence, T object, String... refused) {
        return new RuleCase<>(sentence, object, null, Set.of(refused), true);
    }

    Set<String> javaRefuses(java.util.function.Function<T, FieldErrors> create, BiFunction<T, T, FieldErrors> update) {
        FieldErrors errors = old == null ? create.apply(object) : update.apply(old, object);
        return Set.copyOf(errors.paths());
    }

    Set<String> crdRefuses(CrdSchema schema) {
        return schema.violations(object, old);
    }

    /**
     * What the CRD refuses. A CEL rule on metadata.name must sit at the schema's root, and the API server reports it
     * there: at the empty path.
     */
    Set<String> crdShouldRefuse() {
        if (javaOnly) {
            return Set.of();
        }
        return refused.stream().map(p -> p.equals("metadata.name") ? "" : p).collect(Collectors.toSet());
    }

    @Override
    public String toString() {
        return sentence;
    }
}
