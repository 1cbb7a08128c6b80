package dev.gantry.registry.http;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.auth.AccessControl;
import dev.gantry.registry.auth.Action;
import dev.gantry.registry.auth.Principal;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.MediaTypes;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.service.ManifestService;
import dev.gantry.registry.service.RepositoryResolver;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.Referrer;
import dev.gantry.registry.storage.RepositoryName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/** Tags lists, the catalog and the referrers API: sorted, paginated with {@code n}/{@code last} and {@code Link}. */
@Singleton
public class DiscoveryHandlers {
    @Inject
    RepositoryResolver resolver;
    @Inject
    MetadataStore metadata;
    @Inject
    ManifestService manifests;
    @Inject
    GantryConfig config;

    void tags(RoutingContext rc) {
        String name = rc.pathParam("name");
        RepositoryResolver.Target target = resolver.resolve(name);
        int n = pageSize(rc);
        String last = rc.request().getParam("last");
        List<RepositoryName> repos = target.readable();
        if (repos.stream().noneMatch(metadata::repositoryExists)) {
            throw OciError.NAME_UNKNOWN.exception("repository " + name + " is not known to this registry");
        }
        TreeSet<String> tags = new TreeSet<>(); // a virtual registry lists the union of its members' tags
        for (RepositoryName repo : repos) {
            tags.addAll(metadata.tags(repo, last, n == Integer.MAX_VALUE ? n : n + 1));
        }
        List<String> page = tags.stream().limit(n).toList();
        if (tags.size() > n && !page.isEmpty()) {
            link(rc, "/v2/" + name + "/tags/list", n, page.getLast());
        }
        Http.json(rc, 200, "application/json", new JsonObject().put("name", name).put("tags", new JsonArray(page)));
    }

    void catalog(RoutingContext rc) {
        int n = pageSize(rc);
        String last = rc.request().getParam("last");
        List<String> names = readable(rc, last, n == Integer.MAX_VALUE ? n : n + 1);
        List<String> page = names.stream().limit(n).toList();
        if (names.size() > n && !page.isEmpty()) {
            link(rc, "/v2/_catalog", n, page.getLast());
        }
        Http.json(rc, 200, "application/json", new JsonObject().put("repositories", new JsonArray(page)));
    }

    /** Catalog entries the caller may pull, page by page so that filtering never shortens a page wrongly. */
    private List<String> readable(RoutingContext rc, String last, int limit) {
        Principal principal = rc.get(AccessControl.PRINCIPAL);
        if (principal == null) {
            return metadata.catalog(last, limit);
        }
        List<String> out = new java.util.ArrayList<>();
        String cursor = last;
        while (out.size() < limit) {
            List<String> batch = metadata.catalog(cursor, 500);
            for (String name : batch) {
                if (principal.may(Action.PULL, name.substring(0, name.indexOf('/'))) && out.size() < limit) {
                    out.add(name);
                }
            }
            if (batch.size() < 500) {
                break;
            }
            cursor = batch.getLast();
        }
        return out;
    }

    void referrers(RoutingContext rc) {
        RepositoryResolver.Target target = resolver.resolve(rc.pathParam("name"));
        Digest subject = UploadHandlers.digest(rc.pathParam("digest"));
        String artifactType = rc.request().getParam("artifactType");
        JsonArray descriptors = new JsonArray();
        for (Referrer r : manifests.referrers(target.readable(), subject, artifactType)) {
            JsonObject d = new JsonObject().put("mediaType", r.mediaType()).put("digest", r.digest())
                    .put("size", r.size());
            if (r.artifactType() != null) {
                d.put("artifactType", r.artifactType());
            }
            if (r.annotationsJson() != null) {
                d.put("annotations", new JsonObject(r.annotationsJson()));
            }
            descriptors.add(d);
        }
        if (artifactType != null) {
            rc.response().putHeader("OCI-Filters-Applied", "artifactType");
        }
        Http.json(rc, 200, MediaTypes.OCI_INDEX, new JsonObject().put("schemaVersion", 2)
                .put("mediaType", MediaTypes.OCI_INDEX).put("manifests", descriptors));
    }

    /** {@code n} as asked, capped by configuration; everything when absent. */
    private int pageSize(RoutingContext rc) {
        String n = rc.request().getParam("n");
        if (n == null) {
            return Integer.MAX_VALUE;
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.min(value, config.limits().maxPageSize());
        } catch (NumberFormatException e) {
            throw OciError.UNSUPPORTED.exception(400, "n must be a non-negative integer, got \"" + n + "\"");
        }
    }

    private static void link(RoutingContext rc, String path, int n, String last) {
        rc.response().putHeader("Link", "<" + path + "?n=" + n + "&last="
                + URLEncoder.encode(last, StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }
}
