package dev.gantry.registry.registries;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.registry.storage.MetadataStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The named registries this server runs, validated as a whole (members and deploy targets must exist). Readers see an
 * immutable snapshot; changes (the management API) validate the whole new set, store it, then swap the snapshot.
 */
public final class Registries {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile Map<String, RegistryDefinition> byName;

    private Registries(Map<String, RegistryDefinition> byName) {
        this.byName = byName;
    }

    /**
     * The registries at start: those stored by earlier runs, overlaid with the configured file's (a file is
     * authoritative for the registries it names); the default pipeline only when neither gives any.
     */
    public static Registries load(MetadataStore metadata, List<RegistryDefinition> fromFile) {
        Map<String, RegistryDefinition> merged = new LinkedHashMap<>();
        for (String json : metadata.registryDefinitions()) {
            RegistryDefinition d = parse(json);
            merged.put(d.name(), d);
        }
        if (fromFile != null) {
            fromFile.forEach(d -> merged.put(d.name(), d));
        }
        if (merged.isEmpty()) {
            defaultPipeline().forEach(d -> merged.put(d.name(), d));
        }
        Registries registries = of(merged.values());
        registries.persist(metadata);
        return registries;
    }

    /** Adds or replaces one registry; the type of an existing one never changes. */
    public synchronized RegistryDefinition put(RegistryDefinition definition, MetadataStore metadata) {
        RegistryDefinition existing = byName.get(definition.name());
        if (existing != null && existing.type() != definition.type()) {
            throw new IllegalStateException("registry " + definition.name() + " is " + existing.type()
                    + "; its type cannot change to " + definition.type());
        }
        Map<String, RegistryDefinition> next = new LinkedHashMap<>(byName);
        next.put(definition.name(), definition);
        Registries validated = of(next.values());
        metadata.putRegistry(definition.name(), definition.type().name(), json(definition));
        byName = validated.byName;
        return definition;
    }

    /** Removes a registry no other registry refers to; its content goes with it (the caller checked emptiness). */
    public synchronized void remove(String name, MetadataStore metadata) {
        Map<String, RegistryDefinition> next = new LinkedHashMap<>(byName);
        next.remove(name);
        List<String> users = next.values().stream().filter(d -> d.membersOrEmpty().contains(name)
                || d.promotionSourcesOrEmpty().contains(name) || name.equals(d.deployTo()))
                .map(RegistryDefinition::name).toList();
        if (!users.isEmpty()) {
            throw new IllegalStateException("registry " + name + " is used by " + String.join(", ", users)
                    + " (as member, deploy target or promotion source)");
        }
        metadata.deleteRegistry(name);
        byName = next;
    }

    private static RegistryDefinition parse(String json) {
        try {
            return JSON.readValue(json, RegistryDefinition.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stored registry: " + json, e);
        }
    }

    private static String json(RegistryDefinition definition) {
        try {
            return JSON.writeValueAsString(definition);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The quick start's pipeline: dev → qa → staging → prod, and {@code all} over the four, deploying to dev. */
    public static List<RegistryDefinition> defaultPipeline() {
        return List.of(
                RegistryDefinition.local("dev", true, List.of(), false),
                RegistryDefinition.local("qa", false, List.of("dev"), false),
                RegistryDefinition.local("staging", false, List.of("qa"), false),
                RegistryDefinition.local("prod", false, List.of("staging"), true),
                RegistryDefinition.virtual("all", List.of("dev", "qa", "staging", "prod"), "dev"));
    }

    public static Registries of(Collection<RegistryDefinition> definitions) {
        Map<String, RegistryDefinition> byName = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (RegistryDefinition d : definitions) {
            if (d.name() == null || !DNS_LABEL.matcher(d.name()).matches()) {
                problems.add("registry name '" + d.name() + "' is not a DNS-1123 label (it is the first path "
                        + "component of image references)");
            } else if (byName.putIfAbsent(d.name(), d) != null) {
                problems.add("registry '" + d.name() + "' is defined twice");
            }
            if (d.type() == null) {
                problems.add("registry '" + d.name() + "': spec.type is required (Local, Remote or Virtual)");
            }
        }
        for (RegistryDefinition d : byName.values()) {
            if (d.type() == RegistryType.Remote && (d.upstream() == null || d.upstream().url() == null)) {
                problems.add("registry '" + d.name() + "': spec.upstream.url is required when spec.type is Remote");
            } else if (d.type() == RegistryType.Remote) {
                try {
                    d.upstream().freshness();
                    java.net.URI uri = java.net.URI.create(d.upstream().url());
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                        problems.add("registry '" + d.name() + "': spec.upstream.url must be an http(s) URL");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("registry '" + d.name() + "': " + e.getMessage());
                }
            }
            if (d.type() == RegistryType.Virtual) {
                if (d.membersOrEmpty().isEmpty()) {
                    problems.add("registry '" + d.name() + "': spec.members is required when spec.type is Virtual");
                }
                for (String member : d.membersOrEmpty()) {
                    RegistryDefinition m = byName.get(member);
                    if (m == null || m.type() == RegistryType.Virtual) {
                        problems.add("registry '" + d.name() + "': member '" + member + "' is not a defined Local or "
                                + "Remote registry");
                    }
                }
                if (d.deployTo() != null && (!d.membersOrEmpty().contains(d.deployTo())
                        || byName.get(d.deployTo()) == null || byName.get(d.deployTo()).type() != RegistryType.Local)) {
                    problems.add("registry '" + d.name() + "': spec.deployTo '" + d.deployTo() + "' must be a Local "
                            + "member");
                }
            }
            if (d.untaggedRetention() != null) {
                if (d.type() == RegistryType.Virtual) {
                    problems.add("registry '" + d.name() + "': spec.untaggedRetention is only allowed when spec.type "
                            + "is Local or Remote (a Virtual registry holds nothing)");
                } else {
                    try {
                        d.untaggedRetentionPeriod();
                    } catch (IllegalArgumentException e) {
                        problems.add("registry '" + d.name() + "': " + e.getMessage());
                    }
                }
            }
            for (String source : d.promotionSourcesOrEmpty()) {
                if (!byName.containsKey(source)) {
                    problems.add("registry '" + d.name() + "': promotion source '" + source + "' is not defined");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid registries: " + String.join("; ", problems));
        }
        return new Registries(byName);
    }

    public Optional<RegistryDefinition> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<RegistryDefinition> all() {
        return byName.values();
    }

    /** Records the registries in the metadata store, so stored content always names a known registry. */
    public void persist(MetadataStore metadata) {
        for (RegistryDefinition d : byName.values()) {
            metadata.putRegistry(d.name(), d.type().name(), json(d));
        }
    }
}
