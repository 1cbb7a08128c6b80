package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.storage.Fsck;
import dev.gantry.registry.storage.FsckProblem;
import dev.gantry.registry.storage.FsckReport;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code POST /api/v1/fsck}: checks the whole store (every blob hashed, every manifest's references, every tag) and
 * answers the report; {@code ?repair=true} also repairs what metadata can repair. It spans every registry, so it
 * needs admin on all of them ({@code *}). Runs on a worker thread (a blocking resource method) for as long as hashing
 * the store takes.
 */
@Path("/api/v1/fsck")
@Produces(MediaType.APPLICATION_JSON)
public class FsckResource {
    private static final Logger LOG = Logger.getLogger(FsckResource.class);

    @Inject
    Fsck fsck;
    @Inject
    Caller caller;

    @POST
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Verify every blob's digest and every manifest's references; ?repair=true repairs metadata "
            + "(content is never deleted: damaged or stray files move to quarantine/)")
    public FsckReport run(@QueryParam("repair") @DefaultValue("false") boolean repair) {
        caller.require(Action.ADMIN, "*");
        FsckReport report;
        try {
            report = fsck.run(repair);
        } catch (Fsck.AlreadyRunning e) {
            throw ApiError.FSCK_RUNNING.exception("fsck is already running; ask again when it has finished");
        }
        long repaired = report.problems().stream().filter(FsckProblem::repaired).count();
        LOG.infof("fsck by %s%s: %d blobs (%d bytes) hashed, %d manifests, %d tags checked in %d ms; %d problems%s",
                caller.name(), repair ? " (repair)" : "", report.blobsChecked(), report.bytesHashed(),
                report.manifestsChecked(), report.tagsChecked(), report.durationMillis(), report.problems().size(),
                repair ? ", " + repaired + " repaired" : "");
        for (FsckProblem p : report.problems()) {
            LOG.warnf("fsck: %s %s: %s — %s%s", p.kind(), p.subject(), p.detail(), p.repaired() ? "repaired: " : "",
                    p.repair());
        }
        return report;
    }
}
