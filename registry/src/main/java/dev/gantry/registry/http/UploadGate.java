package dev.gantry.registry.http;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.OciError;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how many requests receive a body (blob chunk or manifest) at once, server-wide: each holds a connection, a
 * staging file or a manifest buffer. Past the bound a request is answered 429 TOOMANYREQUESTS before its body is read.
 */
@Singleton
public class UploadGate {
    @Inject
    GantryConfig config;

    private final AtomicInteger inside = new AtomicInteger();

    /**
     * Takes a place for the request until its response ends or its connection closes; when none is free, fails the
     * request with 429 and answers false.
     */
    boolean enter(RoutingContext rc) {
        int max = config.limits().concurrentUploads();
        if (inside.incrementAndGet() > max) {
            inside.decrementAndGet();
            rc.fail(OciError.TOOMANYREQUESTS.exception(max + " uploads are being received already "
                    + "(gantry.limits.concurrent-uploads); retry after Retry-After seconds"));
            return false;
        }
        AtomicBoolean left = new AtomicBoolean();
        rc.addEndHandler(v -> {
            if (left.compareAndSet(false, true)) {
                inside.decrementAndGet();
            }
        });
        return true;
    }
}
