package dev.gantry.registry.auth;

import java.util.Set;
import java.util.regex.Pattern;

/** Actions on the registries whose name matches {@code registry}: a name, or a glob such as {@code team-*} or {@code *}. */
public record Grant(String registry, Set<Action> actions) {
    public boolean covers(String registryName, Action action) {
        return actions.contains(action) && matches(registryName);
    }

    private boolean matches(String registryName) {
        if (registry.equals(registryName) || !registry.contains("*")) {
            return registry.equals(registryName); // a glob also covers itself: admin on "team-*" may grant "team-*"
        }
        String regex = ("\\Q" + registry + "\\E").replace("*", "\\E[a-z0-9-]*\\Q");
        return Pattern.matches(regex, registryName);
    }
}
