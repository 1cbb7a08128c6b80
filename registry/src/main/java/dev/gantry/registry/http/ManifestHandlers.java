package dev.gantry.registry.http;

import dev.gantry.registry.RegistryMetrics;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.OciException;
import dev.gantry.registry.service.ManifestService;
import dev.gantry.registry.service.RepositoryResolver;
import dev.gantry.registry.storage.RepositoryName;
import dev.gantry.registry.storage.StoredManifest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.List;

/** GET/HEAD (with Accept negotiation), PUT and DELETE of manifests, by tag or digest. */
@Singleton
public class ManifestHandlers {
    @Inject
    RepositoryResolver resolver;
    @Inject
    ManifestService manifests;
    @Inject
    GantryConfig config;
    @Inject
    RegistryMetrics metrics;
    @Inject
    UploadGate gate;

    void get(RoutingContext rc) {
        RepositoryResolver.Target target = resolver.resolve(rc.pathParam("name"));
        ManifestService.Reference reference = ManifestService.Reference.parse(rc.pathParam("reference"));
        StoredManifest manifest = manifests.find(target.readable(), reference);
        List<String> accepted = accepted(rc.request());
        if (!accepted.isEmpty() && !accepted.contains(manifest.mediaType()) && !accepted.contains("*/*")) {
            throw OciError.MANIFEST_UNKNOWN.exception("the manifest is " + manifest.mediaType()
                    + ", which the request's Accept header does not include");
        }
        String etag = "\"" + manifest.digest() + "\"";
        HttpServerResponse response = rc.response()
                .putHeader("Content-Type", manifest.mediaType())
                .putHeader(Http.DIGEST_HEADER, manifest.digest().toString())
                .putHeader("ETag", etag)
                .putHeader("Content-Length", String.valueOf(manifest.size()));
        if (etag.equals(rc.request().getHeader("If-None-Match"))) {
            response.setStatusCode(304).end();
        } else if (rc.request().method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(Buffer.buffer(manifests.content(manifest)));
        }
    }

    void put(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        if (!gate.enter(rc)) {
            return;
        }
        String name = rc.pathParam("name");
        String contentType = req.getHeader("Content-Type");
        int limit = config.limits().manifestBytes();
        RepositoryName repo;
        ManifestService.Reference reference;
        try {
            repo = resolver.resolve(name).writable();
            reference = ManifestService.Reference.parse(rc.pathParam("reference"));
            String length = req.getHeader("Content-Length");
            if (length != null && Long.parseLong(length) > limit) {
                throw tooLarge(limit);
            }
        } catch (NumberFormatException e) {
            rc.fail(OciError.MANIFEST_INVALID.exception("invalid Content-Length"));
            return;
        } catch (RuntimeException e) {
            rc.fail(e);
            return;
        }
        readBounded(rc, limit)
                .compose(body -> Http.blocking(rc, () -> {
                    long started = System.nanoTime();
                    ManifestService.Pushed pushed = manifests.put(repo, reference, body.getBytes(), contentType);
                    metrics.manifestPutTook(System.nanoTime() - started);
                    return pushed;
                }))
                .onSuccess(pushed -> {
                    HttpServerResponse response = rc.response().setStatusCode(201)
                            .putHeader("Location", "/v2/" + name + "/manifests/" + pushed.digest())
                            .putHeader(Http.DIGEST_HEADER, pushed.digest().toString())
                            .putHeader("Content-Length", "0");
                    if (pushed.subject() != null) {
                        response.putHeader("OCI-Subject", pushed.subject().toString());
                    }
                    response.end();
                })
                .onFailure(rc::fail);
    }

    void delete(RoutingContext rc) {
        RepositoryResolver.Target target = resolver.resolve(rc.pathParam("name"));
        ManifestService.Reference reference = ManifestService.Reference.parse(rc.pathParam("reference"));
        manifests.delete(target.deletable(), reference);
        rc.response().setStatusCode(202).putHeader("Content-Length", "0").end();
    }

    /**
     * Reads a body of at most {@code limit} bytes; a larger one is refused as it arrives, not after, and one that
     * trickles in is cut off (408).
     */
    private Future<Buffer> readBounded(RoutingContext rc, int limit) {
        Promise<Buffer> promise = Promise.promise();
        Buffer content = Buffer.buffer();
        LimitedBody body = new LimitedBody(rc, config.limits(), limit, () -> tooLarge(limit),
                OciError.MANIFEST_INVALID);
        body.handler(content::appendBuffer);
        body.exceptionHandler(promise::tryFail);
        body.endHandler(v -> promise.tryComplete(content));
        body.resume();
        return promise.future();
    }

    private static OciException tooLarge(int limit) {
        return OciError.MANIFEST_INVALID.exception(413, "manifest is larger than the limit of " + limit + " bytes");
    }

    private static List<String> accepted(HttpServerRequest req) {
        return req.headers().getAll("Accept").stream()
                .flatMap(h -> Arrays.stream(h.split(",")))
                .map(t -> t.split(";", 2)[0].trim())
                .filter(t -> !t.isEmpty())
                .toList();
    }
}
