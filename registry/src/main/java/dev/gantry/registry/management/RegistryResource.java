package dev.gantry.registry.management;

import dev.gantry.registry.auth.Action;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.storage.MetadataStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Registries in the shape of the Registry CRD's spec, as the operator manages them: idempotent PUT, GET with the
 * counts the CRD's status shows, DELETE that keeps content unless forced.
 */
@Path("/api/v1/registries")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RegistryResource {
    @Inject
    Registries registries;
    @Inject
    MetadataStore metadata;
    @Inject
    Caller caller;

    public record Status(long repositories, long manifests, long storedBytes) {
    }

    public record RegistryView(String name, RegistryDefinition spec, Status status) {
    }

    @GET
    @Operation(summary = "Every registry, with its counts")
    public List<RegistryView> list() {
        return registries.all().stream().filter(r -> caller.may(Action.PULL, r.name())).map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One registry, with its counts")
    public RegistryView get(@PathParam("name") String name) {
        caller.require(Action.PULL, name);
        return view(find(name));
    }

    @PUT
    @Path("/{name}")
    @Operation(summary = "Create or update a registry (the Registry CRD's spec); its type never changes")
    public Response put(@PathParam("name") String name, RegistryDefinition spec) {
        caller.require(Action.ADMIN, name);
        if (spec == null) {
            throw ApiError.INVALID_REQUEST.exception("a JSON body in the shape of the Registry spec is required");
        }
        RegistryDefinition definition = spec.withName(name);
        boolean created = registries.find(name).isEmpty();
        try {
            registries.put(definition, metadata);
        } catch (IllegalStateException e) {
            throw ApiError.TYPE_IMMUTABLE.exception(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.INVALID_REQUEST.exception(e.getMessage());
        }
        return Response.status(created ? 201 : 200).entity(view(definition)).build();
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a registry; one that holds content needs ?force=true")
    public Response delete(@PathParam("name") String name, @QueryParam("force") @DefaultValue("false") boolean force) {
        caller.require(Action.ADMIN, name);
        RegistryDefinition registry = find(name);
        MetadataStore.RegistryStats stats = metadata.registryStats(registry.name());
        if (!force && (stats.repositories() > 0)) {
            throw ApiError.REGISTRY_NOT_EMPTY.exception("registry " + name + " holds " + stats.repositories()
                    + " repositories and " + stats.manifests() + " manifests; delete with ?force=true to drop them");
        }
        try {
            registries.remove(name, metadata);
        } catch (IllegalStateException e) {
            throw ApiError.REGISTRY_IN_USE.exception(e.getMessage());
        }
        return Response.noContent().build();
    }

    private RegistryDefinition find(String name) {
        return registries.find(name).orElseThrow(() -> ApiError.REGISTRY_UNKNOWN.exception("no registry named "
                + name));
    }

    private RegistryView view(RegistryDefinition d) {
        MetadataStore.RegistryStats stats = metadata.registryStats(d.name());
        return new RegistryView(d.name(), d.withoutSecrets(), new Status(stats.repositories(), stats.manifests(),
                stats.storedBytes()));
    }
}
