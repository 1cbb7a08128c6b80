package dev.gantry.operator.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.client.RegistryAccess;
import dev.gantry.operator.OperatorSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry server's management API as the operator uses it, with the operator's own credential (HTTP Basic).
 * Every answer other than success becomes a {@link RegistryException} carrying the registry's error code.
 */
@ApplicationScoped
public class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OperatorSettings.RegistryServer settings;
    private final URI base;
    private final HttpClient http;

    @Inject
    public RegistryClient(OperatorSettings settings) {
        this.settings = settings.registry();
        String url = this.settings.url();
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(this.settings.timeout());
        this.settings.caFile().ifPresent(ca -> builder.sslContext(RegistryAccess.trusting(ca)));
        this.http = builder.build();
    }

    /** What the server says about a registry after a PUT. */
    public record RegistryView(String name, long repositories, long manifests, long storedBytes) {
    }

    public record PromotionRecord(String id, String digest, List<String> tags, String actor, Instant promotedAt) {
    }

    public record Credential(String name, String secret) {
    }

    /** The host names image references use for this server (host[:port]). */
    public List<String> hosts() {
        return settings.hosts().filter(h -> !h.isEmpty()).orElseGet(() -> List.of(base.getAuthority()));
    }

    /** Every registry the server holds, with its type and counts. */
    public List<ServerRegistry> listRegistries() {
        List<ServerRegistry> all = new ArrayList<>();
        for (JsonNode view : call("GET", "/api/v1/registries", null)) {
            all.add(new ServerRegistry(view.path("name").asText(), view.path("spec").path("type").asText(),
                    view.path("status").path("repositories").asLong()));
        }
        return all;
    }

    public record ServerRegistry(String name, String type, long repositories) {
    }

    /** Creates or updates a registry from a body in the Registry spec's shape (idempotent). */
    public RegistryView putRegistry(String name, ObjectNode spec) {
        JsonNode view = call("PUT", "/api/v1/registries/" + encode(name), spec);
        JsonNode status = view.path("status");
        return new RegistryView(view.path("name").asText(name), status.path("repositories").asLong(),
                status.path("manifests").asLong(), status.path("storedBytes").asLong());
    }

    /** Deletes a registry; one that is already gone counts as deleted. */
    public void deleteRegistry(String name, boolean force) {
        try {
            call("DELETE", "/api/v1/registries/" + encode(name) + (force ? "?force=true" : ""), null);
        } catch (RegistryException e) {
            if (!"REGISTRY_UNKNOWN".equals(e.code())) {
                throw e;
            }
        }
    }

    public PromotionRecord promote(ObjectNode request) {
        JsonNode record = call("POST", "/api/v1/promotions", request);
        List<String> tags = new ArrayList<>();
        record.path("tags").forEach(t -> tags.add(t.asText()));
        String at = record.path("promotedAt").asText(null);
        return new PromotionRecord(record.path("id").asText(null), record.path("digest").asText(null), tags,
                record.path("actor").asText(null), at == null ? null : Instant.parse(at));
    }

    /** Mints a robot that may only pull from {@code registry}. */
    public Credential mintPullCredential(String name, String registry) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ObjectNode grant = body.putArray("grants").addObject().put("registry", registry);
        grant.putArray("actions").add("pull");
        JsonNode minted = call("POST", "/api/v1/credentials", body);
        return new Credential(minted.path("name").asText(), minted.path("secret").asText());
    }

    /** A new secret for a robot; the server keeps the previous one valid for its rotation overlap. */
    public Credential rotate(String name) {
        JsonNode rotated = call("POST", "/api/v1/credentials/" + encode(name) + "/rotate", null);
        return new Credential(rotated.path("name").asText(), rotated.path("secret").asText());
    }

    /** Revokes a robot at once; one that is already gone counts as revoked. */
    public void revoke(String name) {
        try {
            call("DELETE", "/api/v1/credentials/" + encode(name), null);
        } catch (RegistryException e) {
            if (!"CREDENTIAL_UNKNOWN".equals(e.code())) {
                throw e;
            }
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(settings.timeout())
                .header("Accept", "application/json").header("Authorization", basic());
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw RegistryException.unreachable(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.unreachable(method + " " + path, e);
        }
        int status = response.statusCode();
        JsonNode answer = parse(response.body());
        if (status >= 200 && status < 300) {
            return answer == null ? JSON.createObjectNode() : answer;
        }
        String code = answer == null || !answer.isObject() ? null : answer.path("code").asText(null);
        String message = answer == null || !answer.isObject() ? null : answer.path("message").asText(null);
        if (status == 401) {
            throw new RegistryException(status, "REGISTRY_CREDENTIAL_REFUSED", "the registry server refused the "
                    + "operator's credential (user " + settings.username() + "): check gantry.operator.registry "
                    + "username and password", true, null);
        }
        boolean transientFailure = status >= 500 || status == 408 || status == 429 || code == null;
        throw new RegistryException(status, code == null ? RegistryException.UNAVAILABLE : code,
                message == null ? "registry server answered " + status + " to " + method + " " + path : message,
                transientFailure, null);
    }

    private String basic() {
        try {
            return RegistryAccess.basic(settings.username(), settings.password(), settings.passwordFile());
        } catch (java.io.UncheckedIOException e) {
            throw new RegistryException(0, "REGISTRY_CREDENTIAL_UNREADABLE", e.getMessage(), true, e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node.isObject() || node.isArray() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
