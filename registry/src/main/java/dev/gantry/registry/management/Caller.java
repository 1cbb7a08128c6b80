package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.auth.Principal;
import jakarta.enterprise.context.RequestScoped;

/** Who called the management API (set by {@link ManagementAuth}); everyone may do everything when access control is off. */
@RequestScoped
public class Caller {
    private Principal principal;

    void set(Principal principal) {
        this.principal = principal;
    }

    /** The actor recorded with what the caller does. */
    public String name() {
        return principal == null ? "anonymous" : principal.name();
    }

    /** Refuses (403 DENIED) unless the caller holds the action on the registry. */
    public void require(Action action, String registry) {
        if (principal != null && !principal.may(action, registry)) {
            throw ApiError.DENIED.exception(principal.name() + " may not " + action.wire() + " on registry "
                    + registry);
        }
    }

    public boolean may(Action action, String registry) {
        return principal == null || principal.may(action, registry);
    }
}
