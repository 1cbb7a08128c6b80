package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a registry is; fixed for its lifetime, since its stored content only makes sense for its type. */
public enum RegistryType {
    /** A stage (dev, qa, prod…): images arrive by push or by promotion. */
    @JsonProperty("Local") LOCAL,
    /** A pull-through cache of an upstream registry such as Docker Hub. */
    @JsonProperty("Remote") REMOTE,
    /** One endpoint resolving over an ordered list of member registries. */
    @JsonProperty("Virtual") VIRTUAL;

    /** The name as written in YAML. */
    public String wireName() {
        return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}
