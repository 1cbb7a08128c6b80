package dev.gantry.registry.management;

import dev.gantry.registry.auth.AccessControl;
import dev.gantry.registry.auth.Authenticator;
import dev.gantry.registry.auth.Principal;
import dev.gantry.registry.config.GantryConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** With access control on, every management call needs HTTP Basic credentials; what they allow is checked per call. */
@Provider
public class ManagementAuth implements ContainerRequestFilter {
    // Looked up per request: providers are created before the run-time configuration exists.
    @Inject
    Instance<GantryConfig> config;
    @Inject
    Instance<Authenticator> authenticator;
    @Inject
    Instance<Caller> caller;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!config.get().auth().enabled() || !request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        String[] pair = AccessControl.basic(request.getHeaderString("Authorization"));
        Principal principal = pair == null ? null : authenticator.get().authenticate(pair[0], pair[1]);
        if (principal == null) {
            request.abortWith(Response.status(401).header("WWW-Authenticate", "Basic realm=\"gantry\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new ApiException.Body("UNAUTHORIZED", "send HTTP Basic credentials of a robot account"))
                    .build());
            return;
        }
        caller.get().set(principal);
    }
}
