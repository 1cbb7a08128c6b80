package dev.gantry.registry.service;

import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.api.reference.RepositoryPath;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryType;
import dev.gantry.registry.storage.RepositoryName;
import java.util.List;
import java.util.stream.Collectors;

/** Turns the {@code <name>} of a {@code /v2/<name>/…} URL into the repositories it reads from and writes to. */
public final class RepositoryResolver {
    private final Registries registries;

    public RepositoryResolver(Registries registries) {
        this.registries = registries;
    }

    public Target resolve(String name) {
        RepositoryPath path;
        try {
            path = RepositoryPath.parse(name);
        } catch (InvalidReferenceException e) {
            throw OciError.NAME_INVALID.exception(e.getMessage());
        }
        if (path.rest().isEmpty()) {
            throw OciError.NAME_INVALID.exception("repository names start with a registry: <registry>/<repository>, "
                    + "e.g. dev/team/app (got \"" + name + "\")");
        }
        RegistryDefinition registry = registries.find(path.first()).orElseThrow(() ->
                OciError.NAME_UNKNOWN.exception("no registry named \"" + path.first() + "\"; this server has "
                        + registries.all().stream().map(RegistryDefinition::name).sorted()
                                .collect(Collectors.joining(", "))));
        return new Target(name, registry, path.rest().get().value());
    }

    /** A repository as addressed by a client, possibly through a virtual registry. */
    public final class Target {
        private final String name;
        private final RegistryDefinition registry;
        private final String repository;

        Target(String name, RegistryDefinition registry, String repository) {
            this.name = name;
            this.registry = registry;
            this.repository = repository;
        }

        /** The name as the client wrote it, for Location headers. */
        public String name() {
            return name;
        }

        /** Where reads look, in order: the registry itself, or a virtual registry's members. */
        public List<RepositoryName> readable() {
            if (registry.type() == RegistryType.Virtual) {
                return registry.membersOrEmpty().stream().map(m -> new RepositoryName(m, repository)).toList();
            }
            return List.of(new RepositoryName(registry.name(), repository));
        }

        /** Where deletes apply: only a Local registry's own content can be deleted through the registry API. */
        public RepositoryName deletable() {
            if (registry.type() != RegistryType.Local) {
                throw OciError.UNSUPPORTED.exception("registry \"" + registry.name() + "\" is " + registry.type()
                        + ": delete content in the registry that holds it");
            }
            return new RepositoryName(registry.name(), repository);
        }

        /** Where a push lands; refused with a message saying how images do reach the registry. */
        public RepositoryName writable() {
            if (registry.type() == RegistryType.Virtual) {
                if (registry.deployTo() == null) {
                    throw OciError.DENIED.exception("virtual registry \"" + registry.name() + "\" has no deployTo: "
                            + "push to one of its members " + registry.membersOrEmpty());
                }
                RegistryDefinition target = registries.find(registry.deployTo()).orElseThrow();
                return new Target(name, target, repository).writable();
            }
            if (registry.type() == RegistryType.Remote) {
                throw OciError.DENIED.exception("registry \"" + registry.name() + "\" is a pull-through cache of "
                        + (registry.upstream() == null ? "an upstream" : registry.upstream().url())
                        + ": pull through it, and push to a Local registry");
            }
            if (!registry.pushAllowed()) {
                List<String> sources = registry.promotionSourcesOrEmpty();
                throw OciError.DENIED.exception("registry \"" + registry.name() + "\" does not accept pushes: images "
                        + "reach it by promotion" + (sources.isEmpty() ? "" : " from " + String.join(" or ", sources)));
            }
            return new RepositoryName(registry.name(), repository);
        }
    }
}
