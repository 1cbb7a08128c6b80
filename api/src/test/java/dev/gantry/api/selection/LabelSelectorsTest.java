package dev.gantry.api.selection;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {
    private static final Map<String, String> QA = Map.of("gantry.dev/stage", "qa", "team", "shop");

    @Test
    void matchLabelsNeedEveryPair() {
        assertThat(LabelSelectors.matches(labels("gantry.dev/stage", "qa"), QA)).isTrue();
        assertThat(LabelSelectors.matches(labels("gantry.dev/stage", "prod"), QA)).isFalse();
        assertThat(LabelSelectors.matches(new LabelSelectorBuilder().addToMatchLabels("gantry.dev/stage", "qa")
                .addToMatchLabels("team", "billing").build(), QA)).isFalse();
    }

    @Test
    void anEmptySelectorMatchesEverythingAndAMissingOneNothing() {
        assertThat(LabelSelectors.matches(new LabelSelector(), QA)).isTrue();
        assertThat(LabelSelectors.matches(new LabelSelector(), null)).isTrue();
        assertThat(LabelSelectors.matches(null, QA)).isFalse();
    }

    @Test
    void expressionsFollowKubernetesSemantics() {
        assertThat(LabelSelectors.matches(expression("gantry.dev/stage", "In", "qa", "staging"), QA)).isTrue();
        assertThat(LabelSelectors.matches(expression("gantry.dev/stage", "In", "prod"), QA)).isFalse();
        assertThat(LabelSelectors.matches(expression("gantry.dev/stage", "NotIn", "prod"), QA)).isTrue();
        assertThat(LabelSelectors.matches(expression("gantry.dev/stage", "NotIn", "qa"), QA)).isFalse();
        assertThat(LabelSelectors.matches(expression("missing", "NotIn", "qa"), QA)).isTrue();
        assertThat(LabelSelectors.matches(expression("team", "Exists"), QA)).isTrue();
        assertThat(LabelSelectors.matches(expression("missing", "Exists"), QA)).isFalse();
        assertThat(LabelSelectors.matches(expression("team", "DoesNotExist"), QA)).isFalse();
        assertThat(LabelSelectors.matches(expression("missing", "DoesNotExist"), QA)).isTrue();
    }

    @Test
    void anUnknownOperatorMatchesNothingRatherThanEverything() {
        assertThat(LabelSelectors.matches(expression("team", "Equals", "shop"), QA)).isFalse();
    }

    @Test
    void labelsAndExpressionsMustAllHold() {
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("team", "shop")
                .addNewMatchExpression().withKey("gantry.dev/stage").withOperator("In").withValues("prod")
                .endMatchExpression().build();
        assertThat(LabelSelectors.matches(selector, QA)).isFalse();
        assertThat(LabelSelectors.matches(selector, Map.of("team", "shop", "gantry.dev/stage", "prod"))).isTrue();
    }

    private static LabelSelector labels(String key, String value) {
        return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
    }

    private static LabelSelector expression(String key, String operator, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values).endMatchExpression().build();
    }
}
