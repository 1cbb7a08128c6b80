package dev.gantry.registry.storage;

/** A repository inside a named registry: {@code qa} + {@code team/app} is {@code qa/team/app} on the wire. */
public record RepositoryName(String registry, String repository) {
    @Override
    public String toString() {
        return registry + "/" + repository;
    }
}
