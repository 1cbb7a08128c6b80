package dev.gantry.registry.service;

import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.registry.oci.ManifestParser;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.ParsedManifest;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.MissingReferencesException;
import dev.gantry.registry.storage.NewManifest;
import dev.gantry.registry.storage.Referrer;
import dev.gantry.registry.storage.RepositoryName;
import dev.gantry.registry.storage.StoredManifest;
import dev.gantry.registry.storage.TagImmutableException;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryType;
import dev.gantry.registry.remote.PullThroughCache;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Pushing, resolving and deleting manifests and tags, and the referrers of a digest. */
public final class ManifestService {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Registries registries;
    private final PullThroughCache remote;

    public ManifestService(MetadataStore metadata, BlobStore blobs, Registries registries, PullThroughCache remote) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.registries = registries;
        this.remote = remote;
    }

    /** A manifest reference from a URL: a digest if it has the shape of one, else a tag. */
    public record Reference(Digest digest, String tag) {
        public static Reference parse(String text) {
            if (text.indexOf(':') >= 0) {
                try {
                    return new Reference(Digest.parse(text), null);
                } catch (InvalidReferenceException e) {
                    throw OciError.DIGEST_INVALID.exception(e.getMessage());
                }
            }
            if (!TAG.matcher(text).matches()) {
                throw OciError.MANIFEST_INVALID.exception("invalid tag \"" + text + "\": letters, digits, '_', '.' "
                        + "and '-', at most 128, not starting with '.' or '-'");
            }
            return new Reference(null, text);
        }
    }

    public record Pushed(Digest digest, Digest subject) {
    }

    public Pushed put(RepositoryName repo, Reference reference, byte[] body, String contentType) {
        Digest digest = sha256(body);
        if (reference.digest() != null) {
            Digest claimed = reference.digest();
            Digest actual = claimed.algorithm().equals(Digest.SHA256) ? digest : hash(body, claimed.algorithm());
            if (!actual.equals(claimed)) {
                throw OciError.DIGEST_INVALID.exception("manifest content has digest " + actual + ", not " + claimed);
            }
            digest = claimed;
        }
        ParsedManifest parsed = ManifestParser.parse(body, contentType);
        // Cheap early answer for the common mistake; the check that counts is repeated inside the write transaction.
        List<Digest> missing = metadata.missingReferences(repo, parsed.blobs(), parsed.manifests());
        if (!missing.isEmpty()) {
            throw missingReferences(repo, missing);
        }
        boolean immutableTags = registries.find(repo.registry())
                .map(r -> Boolean.TRUE.equals(r.immutableTags())).orElse(false);
        java.nio.file.Path staged = blobs.stage(body);
        Digest stored = digest;
        try {
            metadata.putManifest(repo, new NewManifest(digest, parsed.mediaType(), body.length, parsed.artifactType(),
                    parsed.subject(), parsed.annotationsJson(), parsed.blobs(), parsed.manifests()), reference.tag(),
                    immutableTags, () -> blobs.place(staged, stored));
        } catch (TagImmutableException e) {
            throw OciError.DENIED.exception("tag " + reference.tag() + " is immutable in registry " + repo.registry()
                    + " and points at " + e.currentDigest() + "; push under a new tag");
        } catch (MissingReferencesException e) {
            throw missingReferences(repo, e.missing()); // garbage collection took them since the first check
        } finally {
            blobs.discard(staged);
        }
        return new Pushed(digest, parsed.subject());
    }

    /** The first of the repositories that holds the reference (several for a virtual registry). */
    public StoredManifest find(List<RepositoryName> repos, Reference reference) {
        for (RepositoryName repo : repos) {
            RegistryDefinition registry = registries.find(repo.registry()).orElseThrow();
            StoredManifest found;
            if (registry.type() == RegistryType.Remote) {
                found = reference.digest() != null
                        ? remote.manifestByDigest(registry, repo, reference.digest())
                        : remote.manifestByTag(registry, repo, reference.tag());
            } else {
                found = reference.digest() != null
                        ? metadata.manifestByDigest(repo, reference.digest())
                        : metadata.manifestByTag(repo, reference.tag());
            }
            if (found != null) {
                return found;
            }
        }
        throw OciError.MANIFEST_UNKNOWN.exception("manifest " + (reference.digest() != null ? reference.digest()
                : reference.tag()) + " not found in " + repos.stream().map(RepositoryName::toString)
                .collect(Collectors.joining(", ")));
    }

    private static RuntimeException missingReferences(RepositoryName repo, List<Digest> missing) {
        return OciError.MANIFEST_BLOB_UNKNOWN.exception("repository " + repo + " does not hold "
                + missing.stream().map(Digest::toString).collect(Collectors.joining(", "))
                + "; push the blobs (and child manifests) first");
    }

    public byte[] content(StoredManifest manifest) {
        return blobs.read(manifest.digest());
    }

    public void delete(RepositoryName repo, Reference reference) {
        boolean deleted = reference.digest() != null
                ? metadata.deleteManifest(repo, reference.digest())
                : metadata.deleteTag(repo, reference.tag());
        if (!deleted) {
            throw OciError.MANIFEST_UNKNOWN.exception("manifest " + (reference.digest() != null ? reference.digest()
                    : reference.tag()) + " not found in " + repo);
        }
    }

    public List<Referrer> referrers(List<RepositoryName> repos, Digest subject, String artifactType) {
        return repos.stream().flatMap(r -> metadata.referrers(r, subject, artifactType).stream()).distinct().toList();
    }

    static Digest sha256(byte[] body) {
        return hash(body, Digest.SHA256);
    }

    private static Digest hash(byte[] body, String algorithm) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm.equals(Digest.SHA512) ? "SHA-512" : "SHA-256");
            return new Digest(algorithm, HexFormat.of().formatHex(md.digest(body)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
