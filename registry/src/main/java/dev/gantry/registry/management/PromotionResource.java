package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.storage.PromotionRecord;
import dev.gantry.registry.storage.PromotionStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Promotions: carry one out, read one, and the history per repository and per digest. */
@Path("/api/v1/promotions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PromotionResource {
    @Inject
    PromotionService promotions;
    @Inject
    PromotionStore store;
    @Inject
    Caller caller;

    @POST
    @Operation(summary = "Promote a digest or tag from one registry to another, as one metadata transaction")
    public Response promote(PromotionRequest request) {
        if (request == null) {
            throw ApiError.INVALID_REQUEST.exception("a JSON body is required");
        }
        if (request.to() != null) {
            caller.require(Action.PROMOTE, request.to());
        }
        if (request.from() != null) {
            caller.require(Action.PULL, request.from());
        }
        boolean replay = request.id() != null && store.find(request.id()) != null;
        PromotionRecord record = promotions.promote(request, caller.name());
        return (replay ? Response.ok(record) : Response.created(URI.create("/api/v1/promotions/" + record.id()))
                .entity(record)).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One promotion record")
    public PromotionRecord promotion(@PathParam("id") String id) {
        PromotionRecord record = store.find(id);
        if (record == null || !caller.may(Action.PULL, record.to())) {
            throw ApiError.PROMOTION_UNKNOWN.exception("no promotion " + id);
        }
        return record;
    }

    @GET
    @Operation(summary = "Where a digest has been promoted, oldest first: its path through the stages")
    public List<PromotionRecord> ofDigest(@QueryParam("digest") String digest) {
        if (digest == null) {
            throw ApiError.INVALID_REQUEST.exception("give ?digest=sha256:…");
        }
        return store.ofDigest(PromotionService.digest(digest, "digest").toString()).stream()
                .filter(r -> caller.may(Action.PULL, r.to())).toList();
    }
}
