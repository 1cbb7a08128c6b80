package dev.gantry.registry.auth;

import dev.gantry.registry.oci.OciError;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides every registry API request when access control is on: who is calling (a Bearer token from {@code /token},
 * or HTTP Basic as containerd and the kubelet send it) and whether they may do what the request does to the registry
 * it names — pull for reads, push for writes, delete for deletes; a cross-repository mount also needs pull on its
 * source, or it quietly becomes a plain upload. Unauthenticated: 401 with the token challenge; authenticated but not
 * allowed: 403 DENIED.
 */
public final class AccessControl {
    public static final String PRINCIPAL = "gantry.principal";
    public static final String MOUNT_ALLOWED = "gantry.mountAllowed";
    /** The request's repository name, by the same precedence as the routes. */
    private static final List<Pattern> NAMED = List.of(
            Pattern.compile("/v2/(.+)/blobs/uploads(/[^/]*)?"),
            Pattern.compile("/v2/(.+)/blobs/[^/]+"),
            Pattern.compile("/v2/(.+)/manifests/[^/]+"),
            Pattern.compile("/v2/(.+)/tags/list"),
            Pattern.compile("/v2/(.+)/referrers/[^/]+"));

    private final Authenticator authenticator;
    private final TokenService tokens;
    private final String realm;
    private final java.util.function.Predicate<String> anonymousPull;

    /** @param anonymousPull whether a registry lets anyone pull without credentials */
    public AccessControl(Authenticator authenticator, TokenService tokens, String realm,
            java.util.function.Predicate<String> anonymousPull) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.realm = realm;
        this.anonymousPull = anonymousPull;
    }

    /** Who the caller is: a principal for Basic, a token's grants for Bearer; null when unauthenticated. */
    private record Caller(Principal principal, TokenService.Verified token) {
        boolean may(String repository, String registry, Action action) {
            return token != null ? token.allows(repository, action) : principal.may(action, registry);
        }
    }

    /** Blocking (bcrypt, database): run on a worker thread. */
    public void check(RoutingContext rc) {
        Caller caller = caller(rc);
        String path = rc.normalizedPath(); // what the routes match: the checked name is the served name
        if (path.equals("/v2/") || path.equals("/v2") || path.equals("/v2/_catalog")) {
            if (caller == null) {
                challenge(rc, null);
                return;
            }
            Principal principal = caller.principal() != null ? caller.principal()
                    : authenticator.lookup(caller.token().subject());
            // a token whose robot is gone lists nothing
            rc.put(PRINCIPAL, principal != null ? principal : new Principal(caller.token().subject(), List.of()));
            rc.next();
            return;
        }
        String name = repositoryName(path);
        if (name == null) {
            rc.next(); // not a repository endpoint: answered (as unknown) by the routes
            return;
        }
        Action action = switch (rc.request().method().name()) {
            case "GET", "HEAD" -> Action.PULL;
            case "DELETE" -> Action.DELETE;
            default -> Action.PUSH;
        };
        String registry = registryOf(name);
        boolean openToAll = action == Action.PULL && anonymousPull.test(registry);
        if (caller == null && !openToAll) {
            challenge(rc, "repository:" + name + ":" + action.wire());
            return;
        }
        if (caller != null && !openToAll && !caller.may(name, registry, action)) {
            if (caller.token() != null) {
                Principal holder = authenticator.lookup(caller.token().subject());
                if (holder != null && holder.may(action, registry)) {
                    challenge(rc, "repository:" + name + ":" + action.wire()); // held, just not in this token
                    return;
                }
            }
            rc.fail(OciError.DENIED.exception("not allowed to " + action.wire() + " " + name));
            return;
        }
        String from = rc.request().getParam("from");
        if (rc.request().getParam("mount") != null && from != null) {
            rc.put(MOUNT_ALLOWED, anonymousPull.test(registryOf(from))
                    || caller != null && caller.may(from, registryOf(from), Action.PULL));
        }
        rc.next();
    }

    private Caller caller(RoutingContext rc) {
        String header = rc.request().getHeader("Authorization");
        if (header == null) {
            return null;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            TokenService.Verified verified = tokens.verify(header.substring(7).trim());
            return verified == null ? null : new Caller(null, verified);
        }
        String[] pair = basic(header);
        if (pair == null) {
            return null;
        }
        Principal principal = authenticator.authenticate(pair[0], pair[1]);
        return principal == null ? null : new Caller(principal, null);
    }

    /** {@code user:password} of a Basic header, or null. */
    public static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void challenge(RoutingContext rc, String scope) {
        String base = realm != null ? realm
                : (rc.request().isSSL() ? "https://" : "http://") + rc.request().authority() + "/token";
        rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"" + base + "\",service=\"" + tokens.service()
                + "\"" + (scope == null ? "" : ",scope=\"" + scope + "\""));
        rc.fail(OciError.UNAUTHORIZED.exception("authentication required: get a token from " + base
                + " or send Basic credentials"));
    }

    static String repositoryName(String path) {
        for (Pattern p : NAMED) {
            Matcher m = p.matcher(path);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    static String registryOf(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }
}
