package dev.gantry.registry.registries;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A named registry as the server runs it: the {@code spec} of a Registry resource, plus its name. The registry
 * module reads the CRD's YAML shape itself, since it must not depend on a Kubernetes library.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryDefinition(String name, RegistryType type, Boolean allowPush, List<String> promotionSources,
        Boolean immutableTags, Upstream upstream, List<String> members, String deployTo, Boolean anonymousPull,
        String untaggedRetention) {

    /**
     * A Remote registry's upstream. {@code username}/{@code password} are the credentials themselves: in Kubernetes
     * the operator reads them from {@code credentialsSecret} and passes them on; the registry never reads Secrets.
     */
    public record Upstream(String url, String tagFreshness, String username, String password) {
        public Upstream(String url, String tagFreshness) {
            this(url, tagFreshness, null, null);
        }

        /** The freshness period; empty means {@code Never} (a cached tag is trusted forever). */
        public java.util.Optional<java.time.Duration> freshness() {
            return dev.gantry.api.TagFreshness.parse(tagFreshness);
        }
    }

    public static RegistryDefinition local(String name, boolean allowPush, List<String> promotionSources,
            boolean immutableTags) {
        return new RegistryDefinition(name, RegistryType.Local, allowPush, promotionSources, immutableTags, null, null,
                null, null, null);
    }

    public static RegistryDefinition virtual(String name, List<String> members, String deployTo) {
        return new RegistryDefinition(name, RegistryType.Virtual, null, null, null, null, members, deployTo, null,
                null);
    }

    /** The same registry under a name (a spec read from a body or a file names it separately). */
    public RegistryDefinition withName(String newName) {
        return new RegistryDefinition(newName, type, allowPush, promotionSources, immutableTags, upstream, members,
                deployTo, anonymousPull, untaggedRetention);
    }

    /** The same registry without the upstream password, for answers that leave the server. */
    public RegistryDefinition withoutSecrets() {
        if (upstream == null || upstream.password() == null) {
            return this;
        }
        return new RegistryDefinition(name, type, allowPush, promotionSources, immutableTags,
                new Upstream(upstream.url(), upstream.tagFreshness(), upstream.username(), null), members, deployTo,
                anonymousPull, untaggedRetention);
    }

    /**
     * How long an untagged, unpromoted manifest is kept before garbage collection removes it; empty for Never (the
     * default).
     */
    @JsonIgnore
    public java.util.Optional<java.time.Duration> untaggedRetentionPeriod() {
        return dev.gantry.api.UntaggedRetention.parse(untaggedRetention);
    }

    /** Whether anyone, without credentials, may pull (when access control is on). */
    @JsonIgnore
    public boolean pullableAnonymously() {
        return Boolean.TRUE.equals(anonymousPull);
    }

    /** Only Local registries take pushes, and those unless told not to. */
    @JsonIgnore
    public boolean pushAllowed() {
        return type == RegistryType.Local && !Boolean.FALSE.equals(allowPush);
    }

    @JsonIgnore
    public List<String> membersOrEmpty() {
        return members == null ? List.of() : members;
    }

    @JsonIgnore
    public List<String> promotionSourcesOrEmpty() {
        return promotionSources == null ? List.of() : promotionSources;
    }
}
