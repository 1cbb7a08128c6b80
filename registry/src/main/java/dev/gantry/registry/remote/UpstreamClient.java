package dev.gantry.registry.remote;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.oci.MediaTypes;
import dev.gantry.registry.registries.RegistryDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Speaks the Distribution API to a Remote registry's upstream: anonymous, HTTP Basic, or the Docker token flow
 * (a 401 with {@code WWW-Authenticate: Bearer realm=…} answered by fetching a token, as Docker Hub requires even for
 * anonymous pulls).
 */
public final class UpstreamClient {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private final HttpClient http;
    private final Duration timeout;
    /** Bearer tokens by upstream and scope; dropped when the upstream refuses them. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    public UpstreamClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public record Manifest(byte[] body, String mediaType) {
    }

    /** The upstream could not be reached or answered with a server error: a cache may serve what it has. */
    public static class UnavailableException extends IOException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The digest a tag points at upstream (a HEAD, cheaper than fetching), or empty when the tag does not exist. */
    public Optional<String> manifestDigest(RegistryDefinition.Upstream upstream, String repository, String tag)
            throws UnavailableException {
        HttpResponse<Void> response = send(upstream, repository, "/manifests/" + tag, ACCEPT,
                HttpResponse.BodyHandlers.discarding(), "HEAD");
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(response.headers().firstValue("Docker-Content-Digest").orElse(""));
    }

    /** The manifest, or empty when the upstream says it does not exist. */
    public Optional<Manifest> manifest(RegistryDefinition.Upstream upstream, String repository, String reference)
            throws UnavailableException {
        HttpResponse<byte[]> response = send(upstream, repository, "/manifests/" + reference, ACCEPT,
                HttpResponse.BodyHandlers.ofByteArray(), "GET");
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        String type = response.headers().firstValue("Content-Type").orElse(null);
        return Optional.of(new Manifest(response.body(), type));
    }

    /** A blob's body as the upstream streams it, and its length when the upstream said (-1 otherwise). */
    public record Blob(InputStream body, long length) {
    }

    /** Streams a blob; empty when the upstream does not have it. The caller verifies the digest. */
    public Optional<Blob> blob(RegistryDefinition.Upstream upstream, String repository, Digest digest)
            throws UnavailableException {
        HttpResponse<InputStream> response = send(upstream, repository, "/blobs/" + digest, "*/*",
                HttpResponse.BodyHandlers.ofInputStream(), "GET");
        if (response.statusCode() == 404) {
            closeQuietly(response.body());
            return Optional.empty();
        }
        return Optional.of(new Blob(response.body(), response.headers().firstValueAsLong("Content-Length")
                .orElse(-1)));
    }

    private <T> HttpResponse<T> send(RegistryDefinition.Upstream upstream, String repository, String path,
            String accept, HttpResponse.BodyHandler<T> handler, String method) throws UnavailableException {
        repository = upstreamRepository(upstream, repository);
        URI uri = URI.create(stripSlash(upstream.url()) + "/v2/" + repository + path);
        String scopeKey = upstream.url() + "|" + repository;
        try {
            HttpResponse<T> response = http.send(request(uri, accept, authorization(upstream, scopeKey), method),
                    handler);
            if (response.statusCode() == 401) {
                closeIfStream(response.body());
                tokens.remove(scopeKey);
                String auth = answerChallenge(upstream, repository, scopeKey,
                        response.headers().firstValue("WWW-Authenticate").orElse(""));
                response = http.send(request(uri, accept, auth, method), handler);
            }
            int status = response.statusCode();
            if (status == 200 || status == 404) {
                return response;
            }
            closeIfStream(response.body());
            throw new UnavailableException("upstream " + upstream.url() + " answered " + status + " for " + uri, null);
        } catch (IOException e) {
            throw e instanceof UnavailableException u ? u
                    : new UnavailableException("upstream " + upstream.url() + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while asking " + upstream.url(), e);
        }
    }

    private HttpRequest request(URI uri, String accept, String authorization, String method) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    private String authorization(RegistryDefinition.Upstream upstream, String scopeKey) {
        String token = tokens.get(scopeKey);
        if (token != null) {
            return "Bearer " + token;
        }
        return basic(upstream);
    }

    /** Basic: send the credentials. Bearer: fetch a token for {@code repository:<repo>:pull} from the realm. */
    private String answerChallenge(RegistryDefinition.Upstream upstream, String repository, String scopeKey,
            String challenge) throws IOException, InterruptedException {
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return basic(upstream);
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            throw new UnavailableException("upstream " + upstream.url() + " asks for unsupported authentication: "
                    + challenge, null);
        }
        Map<String, String> params = new java.util.HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new UnavailableException("upstream " + upstream.url() + " sent a Bearer challenge without realm",
                    null);
        }
        String scope = params.getOrDefault("scope", "repository:" + repository + ":pull");
        String query = (params.containsKey("service") ? "service=" + enc(params.get("service")) + "&" : "")
                + "scope=" + enc(scope);
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?")
                + query)).timeout(timeout).GET();
        String basic = basic(upstream);
        if (basic != null) {
            tokenRequest.header("Authorization", basic);
        }
        HttpResponse<String> response = http.send(tokenRequest.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new UnavailableException("token endpoint " + realm + " answered " + response.statusCode(), null);
        }
        com.fasterxml.jackson.databind.JsonNode body = JSON.readTree(response.body());
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new UnavailableException("token endpoint " + realm + " sent no token", null);
        }
        tokens.put(scopeKey, token);
        return "Bearer " + token;
    }

    /** Docker Hub keeps official images under {@code library/}: {@code hub/nginx} is {@code library/nginx} there. */
    static String upstreamRepository(RegistryDefinition.Upstream upstream, String repository) {
        String host = URI.create(upstream.url()).getHost();
        boolean dockerHub = host != null && (host.equals("registry-1.docker.io") || host.equals("docker.io")
                || host.equals("index.docker.io") || host.equals("registry.hub.docker.com"));
        return dockerHub && repository.indexOf('/') < 0 ? "library/" + repository : repository;
    }

    private static String basic(RegistryDefinition.Upstream upstream) {
        if (upstream.username() == null) {
            return null;
        }
        String pair = upstream.username() + ":" + (upstream.password() == null ? "" : upstream.password());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void closeIfStream(Object body) {
        if (body instanceof InputStream in) {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do: the response is abandoned
        }
    }
}
