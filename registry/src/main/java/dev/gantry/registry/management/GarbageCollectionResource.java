package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.service.GarbageCollection;
import dev.gantry.registry.storage.GarbageCollector.Report;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Garbage collection on request, and what the last run did. Administrators of every registry only. */
@Path("/api/v1/gc")
@Produces(MediaType.APPLICATION_JSON)
public class GarbageCollectionResource {
    /** Grants on {@code *}: collection spans every registry. */
    private static final String EVERY_REGISTRY = "*";

    @Inject
    GarbageCollection gc;
    @Inject
    Caller caller;

    public record Status(boolean running, Report lastRun) {
    }

    @POST
    @Operation(summary = "Collect garbage now; with ?dryRun=true only report what would go and the bytes freed")
    public Report collect(@QueryParam("dryRun") @DefaultValue("false") boolean dryRun) {
        caller.require(Action.ADMIN, EVERY_REGISTRY);
        return gc.run(dryRun).orElseThrow(() -> ApiError.GC_RUNNING.exception("a garbage collection is running; "
                + "try again when it has finished"));
    }

    @GET
    @Operation(summary = "Whether a collection is running, and the last one's report")
    public Status status() {
        caller.require(Action.ADMIN, EVERY_REGISTRY);
        return new Status(gc.isRunning(), gc.lastRun().orElse(null));
    }
}
