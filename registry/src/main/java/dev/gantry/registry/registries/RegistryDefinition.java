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
        Boolean immutableTags, Upstream upstream, List<String> members, String deployTo) {

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
            String text = tagFreshness == null ? "6h" : tagFreshness;
            if (text.equals("Never")) {
                return java.util.Optional.empty();
            }
            java.time.Duration total = java.time.Duration.ZERO;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(text);
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> java.time.Duration.ofMillis(n);
                    case "s" -> java.time.Duration.ofSeconds(n);
                    case "m" -> java.time.Duration.ofMinutes(n);
                    default -> java.time.Duration.ofHours(n);
                });
                end = m.end();
            }
            if (end != text.length() || end == 0) {
                throw new IllegalArgumentException("tagFreshness \"" + text + "\" is not a duration such as 30m, "
                        + "6h or 1h30m, nor Never");
            }
            return java.util.Optional.of(total);
        }
    }

    public static RegistryDefinition local(String name, boolean allowPush, List<String> promotionSources,
            boolean immutableTags) {
        return new RegistryDefinition(name, RegistryType.Local, allowPush, promotionSources, immutableTags, null, null,
                null);
    }

    public static RegistryDefinition virtual(String name, List<String> members, String deployTo) {
        return new RegistryDefinition(name, RegistryType.Virtual, null, null, null, null, members, deployTo);
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
