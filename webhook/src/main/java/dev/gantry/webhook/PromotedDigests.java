package dev.gantry.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gantry.api.client.RegistryAccess;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Whether a registry holds a digest, i.e. it was pushed or promoted there: a HEAD of the manifest, with the webhook's
 * own credential. A "yes" is kept (digests are immutable and what a registry holds leaves only by deletion, which
 * the admission of a pod that already ran it cannot undo); a "no" only for a few seconds, since a promotion may land
 * at any moment.
 */
@ApplicationScoped
public class PromotedDigests {
    /** The registry's answer. */
    public enum Answer { HELD, NOT_HELD, UNKNOWN }

    private final WebhookSettings.RegistryServer settings;
    private final HttpClient http;
    private final Cache<String, Boolean> held;
    private final Cache<String, Boolean> notHeld;

    @Inject
    public PromotedDigests(WebhookSettings settings) {
        this.settings = settings.registry();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(this.settings.timeout());
        this.settings.caFile().ifPresent(ca -> builder.sslContext(RegistryAccess.trusting(ca)));
        this.http = builder.build();
        this.held = Caffeine.newBuilder().maximumSize(settings.promoted().cacheSize()).build();
        this.notHeld = Caffeine.newBuilder().maximumSize(settings.promoted().cacheSize())
                .expireAfterWrite(settings.promoted().negativeTtl()).build();
    }

    public record Check(Answer answer, String detail) {
    }

    /** Asks whether {@code registry} holds {@code repository@digest}. */
    public Check check(String registry, String repository, String digest) {
        String key = registry + "/" + repository + "@" + digest;
        if (held.getIfPresent(key) != null) {
            return new Check(Answer.HELD, null);
        }
        if (notHeld.getIfPresent(key) != null) {
            return new Check(Answer.NOT_HELD, null);
        }
        if (settings.url().isEmpty()) {
            return new Check(Answer.UNKNOWN, "no registry url is configured (gantry.webhook.registry.url)");
        }
        String base = settings.url().get().replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v2/" + registry + "/" + repository
                + "/manifests/" + digest)).timeout(settings.timeout())
                .header("Authorization", RegistryAccess.basic(settings.username(), settings.password(),
                        settings.passwordFile()))
                .header("Accept", String.join(", ", "application/vnd.oci.image.index.v1+json",
                        "application/vnd.oci.image.manifest.v1+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json",
                        "application/vnd.docker.distribution.manifest.v2+json"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return new Check(Answer.UNKNOWN, "the registry could not be asked: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(Answer.UNKNOWN, "interrupted while asking the registry");
        } catch (RuntimeException e) {
            return new Check(Answer.UNKNOWN, "the registry could not be asked: " + e.getMessage());
        }
        if (status == 200) {
            held.put(key, Boolean.TRUE);
            return new Check(Answer.HELD, null);
        }
        if (status == 404) {
            notHeld.put(key, Boolean.TRUE);
            return new Check(Answer.NOT_HELD, null);
        }
        return new Check(Answer.UNKNOWN, "the registry answered " + status
                + (status == 401 || status == 403 ? " to the webhook's credential" : ""));
    }
}
