package dev.gantry.registry.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Ends the connection of a request that was answered before its body was read (too large, too many, refused on its
 * headers). Most clients write their whole body before they read the answer: closing at once would reset the
 * connection under them and they would see a broken pipe instead of the answer. So the rest of the body is read and
 * discarded for a while (at most {@link #MAX_BYTES} and {@link #MAX_MILLIS}), then the connection is closed: the
 * header {@code Connection: close} alone does not make the server close it. HTTP/2 carries other requests on the
 * connection and bounds an unread body by flow control; it is left alone.
 */
public final class LingeringClose {
    static final long MAX_BYTES = 16L * 1024 * 1024;
    static final long MAX_MILLIS = 5_000;

    private LingeringClose() {
    }

    /** Call once the answer has been sent. {@code linger}: false when the client has stopped sending anyway. */
    public static void after(RoutingContext rc, boolean linger) {
        HttpServerRequest request = rc.request();
        if (request.version() == HttpVersion.HTTP_2 || request.connection() == null) {
            return;
        }
        if (!linger || request.isEnded()) {
            request.connection().close();
            return;
        }
        long[] discarded = {0};
        long timer = rc.vertx().setTimer(MAX_MILLIS, t -> request.connection().close());
        Runnable close = () -> {
            rc.vertx().cancelTimer(timer);
            request.connection().close();
        };
        request.handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > MAX_BYTES) {
                request.pause();
                close.run();
            }
        });
        request.endHandler(v -> close.run());
        request.exceptionHandler(e -> rc.vertx().cancelTimer(timer));
        request.resume();
    }
}
