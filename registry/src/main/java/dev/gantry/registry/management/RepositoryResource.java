package dev.gantry.registry.management;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.auth.Action;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryType;
import dev.gantry.registry.remote.PullThroughCache;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.PromotionRecord;
import dev.gantry.registry.storage.PromotionStore;
import dev.gantry.registry.storage.RepositoryName;
import dev.gantry.registry.storage.StoredManifest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * What a registry knows of its repositories: a tag's digest and siblings, a manifest's tags, properties and
 * promotions, and the promotions into a repository.
 */
@Path("/api/v1/registries")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RepositoryResource {
    @Inject
    MetadataStore metadata;
    @Inject
    PromotionStore promotions;
    @Inject
    PromotionService service;
    @Inject
    PullThroughCache remote;
    @Inject
    Caller caller;

    public record TagInfo(String tag, String digest, List<String> tags) {
    }

    public record ManifestInfo(String digest, String mediaType, long size, List<String> tags,
            Map<String, String> properties, List<PromotionRecord> promotions) {
    }

    @GET
    @Path("/{registry}/repositories/{repository: .+}/tags/{tag}")
    @Operation(summary = "The digest a tag points at, and every tag on that digest (latest → also 26)")
    public TagInfo tag(@PathParam("registry") String registry, @PathParam("repository") String repository,
            @PathParam("tag") String tag) {
        caller.require(Action.PULL, registry);
        RepositoryName repo = repo(registry, repository);
        StoredManifest manifest = metadata.manifestByTag(repo, tag);
        if (manifest == null) {
            throw ApiError.TAG_UNKNOWN.exception(repo + " has no tag " + tag);
        }
        return new TagInfo(tag, manifest.digest().toString(), metadata.tagsOf(repo, manifest.digest()));
    }

    @POST
    @Path("/{registry}/repositories/{repository: .+}/tags/{tag}/refresh")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Remote registries: ask the upstream where a cached tag points now, whatever its freshness")
    public TagInfo refresh(@PathParam("registry") String registry, @PathParam("repository") String repository,
            @PathParam("tag") String tag) {
        caller.require(Action.ADMIN, registry);
        RepositoryName repo = repo(registry, repository);
        RegistryDefinition definition = service.registry(registry, "registry");
        if (definition.type() != RegistryType.Remote) {
            throw ApiError.INVALID_REQUEST.exception("registry " + registry + " is " + definition.type()
                    + "; only a Remote registry's tags come from an upstream");
        }
        PromotionService.tag(tag, "tag");
        StoredManifest manifest = remote.refresh(definition, repo, tag);
        if (manifest == null) {
            throw ApiError.TAG_UNKNOWN.exception("the upstream of " + registry + " has no tag " + tag + " in "
                    + repo.repository());
        }
        return new TagInfo(tag, manifest.digest().toString(), metadata.tagsOf(repo, manifest.digest()));
    }

    @GET
    @Path("/{registry}/repositories/{repository: .+}/manifests/{digest}")
    @Operation(summary = "A manifest's media type, size, tags, properties and promotions into this registry")
    public ManifestInfo manifest(@PathParam("registry") String registry, @PathParam("repository") String repository,
            @PathParam("digest") String digest) {
        caller.require(Action.PULL, registry);
        RepositoryName repo = repo(registry, repository);
        StoredManifest manifest = held(repo, digest);
        List<PromotionRecord> into = promotions.ofDigest(manifest.digest().toString()).stream()
                .filter(p -> p.to().equals(registry) && p.repository().equals(repo.repository())).toList();
        return new ManifestInfo(manifest.digest().toString(), manifest.mediaType(), manifest.size(),
                metadata.tagsOf(repo, manifest.digest()), metadata.properties(repo, manifest.digest()), into);
    }

    @GET
    @Path("/{registry}/repositories/{repository: .+}/manifests/{digest}/properties")
    @Operation(summary = "Key/value properties of a manifest in this registry")
    public Map<String, String> properties(@PathParam("registry") String registry,
            @PathParam("repository") String repository, @PathParam("digest") String digest) {
        caller.require(Action.PULL, registry);
        RepositoryName repo = repo(registry, repository);
        return metadata.properties(repo, held(repo, digest).digest());
    }

    @PUT
    @Path("/{registry}/repositories/{repository: .+}/manifests/{digest}/properties")
    @Operation(summary = "Set properties (a null value removes one); answers all properties")
    public Map<String, String> putProperties(@PathParam("registry") String registry,
            @PathParam("repository") String repository, @PathParam("digest") String digest,
            Map<String, String> properties) {
        caller.require(Action.PUSH, registry);
        RepositoryName repo = repo(registry, repository);
        Digest held = held(repo, digest).digest();
        if (properties == null) {
            throw ApiError.INVALID_REQUEST.exception("a JSON object of properties is required");
        }
        properties.keySet().forEach(k -> {
            if (k.isBlank() || k.length() > 255) {
                throw ApiError.INVALID_REQUEST.exception("property names are 1-255 characters");
            }
        });
        metadata.putProperties(repo, held, properties);
        return metadata.properties(repo, held);
    }

    @GET
    @Path("/{registry}/repositories/{repository: .+}/promotions")
    @Operation(summary = "Promotions into a repository of a registry, newest first")
    public List<PromotionRecord> intoRepository(@PathParam("registry") String registry,
            @PathParam("repository") String repository, @QueryParam("n") @DefaultValue("100") int limit) {
        caller.require(Action.PULL, registry);
        service.registry(registry, "registry");
        return promotions.intoRepository(registry, PromotionService.repository(repository), Math.clamp(limit, 1, 1000));
    }

    private RepositoryName repo(String registry, String repository) {
        service.registry(registry, "registry");
        return new RepositoryName(registry, PromotionService.repository(repository));
    }

    private StoredManifest held(RepositoryName repo, String digest) {
        StoredManifest manifest = metadata.manifestByDigest(repo, PromotionService.digest(digest, "digest"));
        if (manifest == null) {
            throw ApiError.MANIFEST_UNKNOWN.exception(repo + " does not hold " + digest);
        }
        return manifest;
    }
}
