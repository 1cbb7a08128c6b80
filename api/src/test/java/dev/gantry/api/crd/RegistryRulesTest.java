package dev.gantry.api.crd;

import static dev.gantry.api.crd.RuleCase.create;
import static dev.gantry.api.crd.RuleCase.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.api.v1alpha1.SecretReference;
import dev.gantry.api.v1alpha1.Upstream;
import dev.gantry.api.validation.RegistryValidator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the Registry CRD, checked against the committed CRD (schema and CEL) and the Java validator alike. */
class RegistryRulesTest {
    private static final CrdSchema CRD = CrdSchema.committed("registries");

    static Stream<RuleCase<Registry>> rules() {
        return Stream.of(
                create("a plain local registry is valid", local("dev", s -> { })),
                create("a local registry with promotion sources and immutable tags is valid", local("prod", s -> {
                    s.setAllowPush(false);
                    s.setPromotionSources(List.of("staging"));
                    s.setImmutableTags(true);
                })),
                create("a remote registry with an upstream, credentials and freshness is valid", remote("hub", u -> {
                    u.setCredentialsSecret(new SecretReference("hub-creds", "gantry-system"));
                    u.setTagFreshness("1h30m");
                })),
                create("a remote registry may trust cached tags forever", remote("hub", u -> u.setTagFreshness("Never"))),
                create("a local registry may collect untagged manifests after a week",
                        local("dev", s -> s.setUntaggedRetention("168h"))),
                create("a remote registry may keep untagged manifests forever",
                        remote("hub", u -> { }, s -> s.setUntaggedRetention("Never"))),
                create("a retention that is not a duration is refused",
                        local("dev", s -> s.setUntaggedRetention("7 days")), "spec.untaggedRetention"),
                create("a retention on a virtual registry is refused",
                        virtual("all", List.of("dev"), s -> s.setUntaggedRetention("24h")), "spec.untaggedRetention"),
                create("a virtual registry over members deploying to one of them is valid",
                        virtual("all", List.of("dev", "qa"), s -> s.setDeployTo("dev"))),

                create("a registry name with uppercase letters is refused", local("Dev", s -> { }), "metadata.name"),
                create("a registry name with a dot is refused", local("dev.team", s -> { }), "metadata.name"),
                create("a registry name longer than 63 characters is refused", local("a".repeat(64), s -> { }),
                        "metadata.name"),
                create("a registry without a spec is refused", new Registry("dev", null), "spec"),
                create("a registry without a type is refused", local("dev", s -> s.setType(null)), "spec.type"),

                create("a remote registry without an upstream is refused",
                        remote("hub", u -> { }, s -> s.setUpstream(null)), "spec.upstream"),
                create("an upstream without a url is refused", remote("hub", u -> u.setUrl(null)), "spec.upstream.url"),
                create("an upstream url that is not http or https is refused",
                        remote("hub", u -> u.setUrl("ftp://mirror.example")), "spec.upstream.url"),
                create("an upstream url without a host is refused", remote("hub", u -> u.setUrl("https://")),
                        "spec.upstream.url"),
                create("a freshness that is not a duration is refused", remote("hub", u -> u.setTagFreshness("6 hours")),
                        "spec.upstream.tagFreshness"),
                create("a credentials secret without a namespace is refused",
                        remote("hub", u -> u.setCredentialsSecret(new SecretReference("hub-creds", null))),
                        "spec.upstream.credentialsSecret.namespace"),
                create("a credentials secret with an invalid name is refused",
                        remote("hub", u -> u.setCredentialsSecret(new SecretReference("Hub_Creds", "ns"))),
                        "spec.upstream.credentialsSecret.name"),
                create("an upstream on a local registry is refused",
                        local("dev", s -> s.setUpstream(new Upstream("https://registry-1.docker.io"))),
                        "spec.upstream"),

                create("a virtual registry without members is refused", virtual("all", null, s -> { }), "spec.members"),
                create("a virtual registry with an empty member list is refused", virtual("all", List.of(), s -> { }),
                        "spec.members"),
                create("a virtual registry listing a member twice is refused",
                        virtual("all", List.of("dev", "qa", "dev"), s -> { }), "spec.members"),
                create("a virtual registry listing itself is refused", virtual("all", List.of("dev", "all"), s -> { }),
                        "spec.members"),
                create("a member name outside the grammar is refused",
                        virtual("all", List.of("dev", "-qa"), s -> { }), "spec.members[1]"),
                create("deploying to a registry that is not a member is refused",
                        virtual("all", List.of("dev", "qa"), s -> s.setDeployTo("prod")), "spec.deployTo"),
                create("members on a local registry are refused", local("dev", s -> s.setMembers(List.of("qa"))),
                        "spec.members"),
                create("deployTo on a local registry is refused", local("dev", s -> s.setDeployTo("qa")),
                        "spec.deployTo"),
                create("more than 32 members are refused",
                        virtual("all", Stream.iterate(1, i -> i + 1).limit(33).map(i -> "r" + i).toList(), s -> { }),
                        "spec.members"),

                create("allowPush on a remote registry is refused", remote("hub", u -> { }, s -> s.setAllowPush(true)),
                        "spec"),
                create("promotion sources on a virtual registry are refused",
                        virtual("all", List.of("dev"), s -> s.setPromotionSources(List.of("dev"))), "spec"),
                create("immutable tags on a remote registry are refused",
                        remote("hub", u -> { }, s -> s.setImmutableTags(true)), "spec"),
                create("a registry promoting from itself is refused",
                        local("qa", s -> s.setPromotionSources(List.of("dev", "qa"))), "spec.promotionSources"),
                create("a promotion source listed twice is refused",
                        local("qa", s -> s.setPromotionSources(List.of("dev", "dev"))), "spec.promotionSources"),
                create("a promotion source outside the grammar is refused",
                        local("qa", s -> s.setPromotionSources(List.of("Dev"))), "spec.promotionSources[0]"),

                update("changing a local registry into a remote one is refused", local("dev", s -> { }),
                        remote("dev", u -> { }), "spec.type"),
                update("changing other fields of a registry is allowed", local("qa", s -> { }),
                        local("qa", s -> s.setPromotionSources(List.of("dev")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theJavaValidatorRefusesExactlyTheExpectedFields(RuleCase<Registry> rule) {
        assertThat(rule.javaRefuses(RegistryValidator::validate, RegistryValidator::validateUpdate))
                .containsExactlyInAnyOrderElementsOf(rule.refused());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theCrdRefusesExactlyTheExpectedFields(RuleCase<Registry> rule) {
        assertThat(rule.crdRefuses(CRD)).containsExactlyInAnyOrderElementsOf(rule.crdShouldRefuse());
    }

    private static Registry local(String name, Consumer<RegistrySpec> edit) {
        RegistrySpec spec = RegistrySpec.local();
        edit.accept(spec);
        return new Registry(name, spec);
    }

    private static Registry remote(String name, Consumer<Upstream> editUpstream) {
        return remote(name, editUpstream, s -> { });
    }

    private static Registry remote(String name, Consumer<Upstream> editUpstream, Consumer<RegistrySpec> edit) {
        RegistrySpec spec = RegistrySpec.remote("https://registry-1.docker.io");
        editUpstream.accept(spec.getUpstream());
        edit.accept(spec);
        return new Registry(name, spec);
    }

    private static Registry virtual(String name, List<String> members, Consumer<RegistrySpec> edit) {
        RegistrySpec spec = RegistrySpec.virtual(members);
        edit.accept(spec);
        return new Registry(name, spec);
    }
}
