package dev.gantry.registry.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a grant allows on a registry; the first three are the Docker token specification's repository actions. */
public enum Action {
    PULL, PUSH, DELETE, PROMOTE, ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code pull,push}; unknown words are ignored (the token spec lets clients ask for more than exists). */
    public static Set<Action> parseAll(String csv) {
        Set<Action> actions = EnumSet.noneOf(Action.class);
        if (csv == null || csv.isBlank()) {
            return actions;
        }
        for (String word : csv.split(",")) {
            for (Action a : values()) {
                if (a.wire().equals(word.trim())) {
                    actions.add(a);
                }
            }
        }
        return actions;
    }
}
