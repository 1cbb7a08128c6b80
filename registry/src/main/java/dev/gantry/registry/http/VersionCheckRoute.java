package dev.gantry.registry.http;

import io.quarkus.vertx.web.Route;
import io.quarkus.vertx.web.Route.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v2/}: the endpoint every client calls first to learn that this is a Distribution API v2 registry (OCI
 * distribution spec, "end-1").
 */
public class VersionCheckRoute {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    static final String API_VERSION = "registry/2.0";

    @Route(regex = "/v2/?", methods = {HttpMethod.GET, HttpMethod.HEAD})
    void versionCheck(RoutingContext rc) {
        rc.response()
                .putHeader(API_VERSION_HEADER, API_VERSION)
                .putHeader("Content-Type", "application/json")
                .end("{}");
    }
}
