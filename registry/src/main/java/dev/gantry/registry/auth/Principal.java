package dev.gantry.registry.auth;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Who made a request and what they hold. */
public record Principal(String name, List<Grant> grants) {
    public static final Principal ANONYMOUS = new Principal("anonymous", List.of());

    public boolean may(Action action, String registry) {
        return grants.stream().anyMatch(g -> g.covers(registry, action));
    }

    /** Of the asked actions on a registry, those held: a token grants the intersection of asked and held. */
    public Set<Action> held(String registry, Set<Action> asked) {
        Set<Action> held = EnumSet.noneOf(Action.class);
        for (Action a : asked) {
            if (may(a, registry)) {
                held.add(a);
            }
        }
        return held;
    }
}
