package dev.gantry.registry.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /token?service=gantry&scope=repository:qa/team/app:pull}: the Docker token endpoint. Basic credentials
 * identify the caller (wrong ones: 401); the token grants, per asked scope, what the caller holds.
 */
public final class TokenRoute {
    private final Authenticator authenticator;
    private final TokenService tokens;
    private final java.util.function.Predicate<String> anonymousPull;

    public TokenRoute(Authenticator authenticator, TokenService tokens,
            java.util.function.Predicate<String> anonymousPull) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.anonymousPull = anonymousPull;
    }

    /** Blocking (bcrypt): run on a worker thread. */
    public void handle(RoutingContext rc) {
        String service = rc.request().getParam("service");
        if (service != null && !service.equals(tokens.service())) {
            error(rc, 400, "unknown service \"" + service + "\"; this registry is \"" + tokens.service() + "\"");
            return;
        }
        Principal principal = Principal.ANONYMOUS;
        String header = rc.request().getHeader("Authorization");
        if (header != null) {
            String[] pair = AccessControl.basic(header);
            principal = pair == null ? null : authenticator.authenticate(pair[0], pair[1]);
            if (principal == null) {
                rc.response().putHeader("WWW-Authenticate", "Basic realm=\"gantry\"");
                error(rc, 401, "invalid credentials");
                return;
            }
        }
        List<Scope> scopes = new ArrayList<>();
        try {
            for (String s : rc.queryParam("scope")) {
                for (String one : s.split(" ")) {
                    if (!one.isBlank()) {
                        scopes.add(Scope.parse(one));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            error(rc, 400, e.getMessage());
            return;
        }
        String token = tokens.issue(principal, scopes, anonymousPull);
        JsonObject body = new JsonObject().put("token", token).put("access_token", token)
                .put("expires_in", tokens.ttl().toSeconds()).put("issued_at", Instant.now().toString());
        rc.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(body.toBuffer());
    }

    private static void error(RoutingContext rc, int status, String message) {
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("errors", new io.vertx.core.json.JsonArray().add(new JsonObject()
                        .put("code", status == 401 ? "UNAUTHORIZED" : "DENIED").put("message", message)))
                        .toBuffer());
    }
}
