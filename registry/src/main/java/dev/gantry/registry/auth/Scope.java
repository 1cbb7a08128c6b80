package dev.gantry.registry.auth;

import java.util.Set;

/**
 * One access entry of the Docker token specification: {@code repository:qa/team/app:pull,push}. The name sits
 * between the first and the last colon.
 */
public record Scope(String type, String name, Set<Action> actions) {
    public static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first < 0 || last <= first) {
            throw new IllegalArgumentException("scope \"" + text + "\" is not type:name:actions");
        }
        return new Scope(text.substring(0, first), text.substring(first + 1, last),
                Action.parseAll(text.substring(last + 1)));
    }

    /** The registry a repository scope is about: its name's first path component. */
    public String registry() {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }
}
