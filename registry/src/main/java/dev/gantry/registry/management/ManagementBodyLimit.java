package dev.gantry.registry.management;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.http.LingeringClose;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Bounds management API request bodies. The framework's own limit follows the largest blob (many GiB), far too much
 * to hand to a JSON reader; here a body is read up front, chunked or not, and refused with 413 as soon as it passes
 * {@code gantry.limits.management-body-size}. The REST layer then reads the body already in memory.
 */
@Singleton
public class ManagementBodyLimit {
    @Inject
    GantryConfig config;

    void register(@Observes Router router) {
        long limit = config.limits().managementBodySize().asLongValue();
        router.route("/api/*").order(-99)
                .handler(BodyHandler.create(false).setBodyLimit(limit))
                .failureHandler(rc -> refuse(rc, limit));
    }

    private static void refuse(RoutingContext rc, long limit) {
        if (rc.statusCode() != 413 || rc.response().headWritten()) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close") // the rest of the body is not read
                .end(new JsonObject().put("code", ApiError.BODY_TOO_LARGE.name())
                        .put("message", "the request body is larger than " + limit
                                + " bytes (gantry.limits.management-body-size)").toBuffer())
                .onComplete(v -> LingeringClose.after(rc, true));
    }
}
