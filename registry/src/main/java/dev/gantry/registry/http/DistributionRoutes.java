package dev.gantry.registry.http;

import dev.gantry.registry.auth.AccessControl;
import dev.gantry.registry.auth.TokenRoute;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.OciError;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The OCI Distribution API under {@code /v2/}. Repository names contain slashes, so routes are regular expressions in
 * the order the spec's endpoint table implies (upload sessions before blobs).
 */
@Singleton
public class DistributionRoutes {
    private static final String NAME = "/v2/(?<name>.+)";
    /** Dot segments, empty segments and encoded separators: refused before routing, never normalised away. */
    private static final Pattern NON_CANONICAL = Pattern.compile(
            "//|/\\.\\.?(/|$)|%2[eEfF]|%5[cC]|\\\\");

    @Inject
    UploadHandlers uploads;
    @Inject
    BlobHandlers blobs;
    @Inject
    ManifestHandlers manifests;
    @Inject
    DiscoveryHandlers discovery;
    @Inject
    GantryConfig config;
    @Inject
    AccessControl accessControl;
    @Inject
    TokenRoute tokenRoute;

    void register(@Observes Router router) {
        router.route().order(-101).handler(DistributionRoutes::requestId);
        router.route("/v2/*").order(-100).handler(this::guard).failureHandler(rc -> Http.sendError(rc, rc.failure()));

        if (config.auth().enabled()) {
            router.get("/token").blockingHandler(tokenRoute::handle, false);
            router.routeWithRegex("/v2(/.*)?").order(-99).blockingHandler(accessControl::check, false)
                    .failureHandler(rc -> Http.sendError(rc, rc.failure()));
        }

        router.routeWithRegex(HttpMethod.GET, "/v2/_catalog").blockingHandler(discovery::catalog, false);

        router.routeWithRegex(HttpMethod.POST, NAME + "/blobs/uploads/?").handler(uploads::start);
        String session = NAME + "/blobs/uploads/(?<id>[^/]+)";
        router.routeWithRegex(HttpMethod.PATCH, session).handler(uploads::patch);
        router.routeWithRegex(HttpMethod.PUT, session).handler(uploads::finish);
        router.routeWithRegex(HttpMethod.GET, session).blockingHandler(uploads::status, false);
        router.routeWithRegex(HttpMethod.DELETE, session).blockingHandler(uploads::cancel, false);

        String blob = NAME + "/blobs/(?<digest>[^/]+)";
        router.routeWithRegex(HttpMethod.GET, blob).blockingHandler(blobs::get, false);
        router.routeWithRegex(HttpMethod.HEAD, blob).blockingHandler(blobs::get, false);
        router.routeWithRegex(HttpMethod.DELETE, blob).blockingHandler(blobs::delete, false);

        String manifest = NAME + "/manifests/(?<reference>[^/]+)";
        router.routeWithRegex(HttpMethod.GET, manifest).blockingHandler(manifests::get, false);
        router.routeWithRegex(HttpMethod.HEAD, manifest).blockingHandler(manifests::get, false);
        router.routeWithRegex(HttpMethod.PUT, manifest).handler(manifests::put);
        router.routeWithRegex(HttpMethod.DELETE, manifest).blockingHandler(manifests::delete, false);

        router.routeWithRegex(HttpMethod.GET, NAME + "/tags/list").blockingHandler(discovery::tags, false);
        router.routeWithRegex(HttpMethod.GET, NAME + "/referrers/(?<digest>[^/]+)")
                .blockingHandler(discovery::referrers, false);

        router.routeWithRegex("/v2/.+").order(10_000).handler(rc -> rc.fail(
                OciError.UNSUPPORTED.exception(404, "no such endpoint: "
                        + rc.request().method() + " " + rc.request().path())));
    }

    /** Every request (registry API, management API, probes) gets an id, the caller's if it sent a sane one. */
    private static void requestId(RoutingContext rc) {
        String id = rc.request().getHeader("X-Request-Id");
        if (id == null || id.length() > 64) {
            id = UUID.randomUUID().toString();
        }
        rc.put(Http.REQUEST_ID, id);
        rc.response().putHeader("X-Request-Id", id);
        rc.next();
    }

    /** Refuses paths that would only mean something after normalisation, and bodies no blob may have. */
    private void guard(RoutingContext rc) {
        rc.response().putHeader(VersionCheckRoute.API_VERSION_HEADER, VersionCheckRoute.API_VERSION);
        String raw = rc.request().path();
        if (NON_CANONICAL.matcher(raw.substring(3)).find()) {
            rc.fail(OciError.NAME_INVALID.exception("path \"" + raw + "\" is not canonical: "
                    + "empty segments, '.' and '..' segments and encoded separators are refused"));
            return;
        }
        // Refused here, in the spec's shape, before the framework's own body limit (the same size) answers bare.
        String length = rc.request().getHeader("Content-Length");
        long blobSize = config.limits().blobSize().asLongValue();
        if (length != null && length.length() < 20 && length.chars().allMatch(Character::isDigit)
                && Long.parseLong(length) > blobSize) {
            OciError code = raw.contains("/manifests/") ? OciError.MANIFEST_INVALID : OciError.BLOB_UPLOAD_INVALID;
            rc.fail(code.exception(413, "a body of " + length + " bytes is larger than any this registry takes ("
                    + blobSize + ", gantry.limits.blob-size)"));
            return;
        }
        rc.next();
    }
}
