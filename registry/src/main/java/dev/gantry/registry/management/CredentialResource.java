package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.auth.Authenticator;
import dev.gantry.registry.storage.CredentialStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Robot accounts: minted with grants (the operator mints a pull-only one per Environment), revoked by name. The secret
 * is shown once, in the answer to the POST; the store keeps its bcrypt hash only.
 */
@Path("/api/v1/credentials")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CredentialResource {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?");
    private static final Pattern REGISTRY = Pattern.compile("[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?");

    @Inject
    CredentialStore store;
    @Inject
    Authenticator authenticator;
    @Inject
    Caller caller;
    @Inject
    dev.gantry.registry.config.GantryConfig config;

    public record GrantBody(String registry, List<String> actions) {
    }

    public record MintRequest(String name, List<GrantBody> grants, Long expiresInSeconds) {
    }

    public record Minted(String name, String secret, List<GrantBody> grants, Instant expiresAt) {
    }

    @POST
    @Operation(summary = "Mint a robot account holding the given grants; the answer shows its secret, once")
    public Response mint(MintRequest request) {
        if (request == null || request.grants() == null || request.grants().isEmpty()) {
            throw ApiError.INVALID_REQUEST.exception("grants are required, e.g. [{\"registry\":\"qa\",\"actions\":"
                    + "[\"pull\"]}]");
        }
        String name = request.name() != null ? request.name()
                : "robot-" + HexFormat.of().toHexDigits(RANDOM.nextInt());
        if (!NAME.matcher(name).matches()) {
            throw ApiError.INVALID_REQUEST.exception("robot names are lowercase letters, digits, '.', '_' and '-'");
        }
        List<CredentialStore.StoredGrant> grants = request.grants().stream().map(g -> {
            if (g.registry() == null || !REGISTRY.matcher(g.registry()).matches()) {
                throw ApiError.INVALID_REQUEST.exception("grant registry \"" + g.registry() + "\" is not a registry "
                        + "name or glob");
            }
            Set<Action> actions = Action.parseAll(g.actions() == null ? "" : String.join(",", g.actions()));
            if (actions.isEmpty() || actions.size() != g.actions().size()) {
                throw ApiError.INVALID_REQUEST.exception("grant actions are among pull, push, delete, promote, admin");
            }
            caller.require(Action.ADMIN, g.registry()); // nobody grants more than they administer
            return new CredentialStore.StoredGrant(g.registry(), String.join(",", actions.stream().map(Action::wire)
                    .toList()));
        }).toList();
        if (store.find(name) != null) {
            throw ApiError.CREDENTIAL_EXISTS.exception("robot " + name + " exists; revoke it first or pick a name");
        }
        String secret = newSecret();
        Instant expiresAt = request.expiresInSeconds() == null ? null
                : Instant.now().plusSeconds(request.expiresInSeconds());
        store.create(name, Authenticator.hash(secret), expiresAt == null ? null : expiresAt.toEpochMilli(), grants);
        return Response.status(201).entity(new Minted(name, secret, request.grants(), expiresAt)).build();
    }

    public record Rotated(String name, String secret, Instant previousValidUntil) {
    }

    @POST
    @Path("/{name}/rotate")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Give a robot a new secret; the old one keeps working for the configured overlap")
    public Rotated rotate(@PathParam("name") String name) {
        administered(name);
        String secret = newSecret();
        Instant until = Instant.now().plus(config.auth().rotationOverlap());
        store.rotate(name, Authenticator.hash(secret), until.toEpochMilli());
        authenticator.forget(name);
        return new Rotated(name, secret, until);
    }

    /** The robot, if the caller administers every registry it holds grants on. */
    private CredentialStore.Robot administered(String name) {
        CredentialStore.Robot robot = store.find(name);
        if (robot == null) {
            throw ApiError.CREDENTIAL_UNKNOWN.exception("no robot " + name);
        }
        robot.grants().forEach(g -> caller.require(Action.ADMIN, g.registry()));
        return robot;
    }

    private static String newSecret() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Revoke a robot account at once")
    public Response revoke(@PathParam("name") String name) {
        administered(name);
        store.delete(name);
        authenticator.forget(name);
        return Response.noContent().build();
    }
}
