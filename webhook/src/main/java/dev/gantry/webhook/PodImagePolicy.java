package dev.gantry.webhook;

import dev.gantry.api.reference.ImageReference;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentPolicy;
import dev.gantry.api.v1alpha1.PolicyMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The rule that makes an environment run exactly what passed its gates: every image of a pod in an environment's
 * namespace comes from the Gantry registry server's host, from the environment's registry, pinned by digest, and
 * that digest is held by the registry (pushed or promoted there). Every offending container is named, with the
 * reason in plain words.
 */
@ApplicationScoped
public class PodImagePolicy {
    @Inject
    EnvironmentIndex environments;
    @Inject
    PromotedDigests promoted;

    /** Compiled exemptImages patterns; bounded by what the Environments name. */
    private final Map<String, ImageGlob> globs = new ConcurrentHashMap<>();
    private final Set<String> hosts;
    private final Set<String> systemNamespaces;
    private final String primaryHost;

    @Inject
    public PodImagePolicy(WebhookSettings settings) {
        this.hosts = settings.registry().hosts().stream().map(h -> h.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.primaryHost = settings.registry().hosts().get(0);
        this.systemNamespaces = settings.systemNamespaces();
    }

    /** One image as written in a pod spec: {@code kind} is container, init container or ephemeral container. */
    public record ContainerImage(String kind, String name, String image) {
        String label() {
            return kind + " \"" + name + "\"";
        }
    }

    /** The decision: {@code problems} deny (or only warn, in Warn mode); {@code warnings} are returned either way. */
    public record Verdict(boolean allowed, List<String> problems, List<String> warnings) {
        static Verdict allow() {
            return new Verdict(true, List.of(), List.of());
        }
    }

    public Verdict check(String namespace, List<ContainerImage> images) {
        if (images.isEmpty() || systemNamespaces.contains(namespace)) {
            return Verdict.allow();
        }
        List<Environment> matching = environments.environmentsOf(namespace);
        if (matching.isEmpty()) {
            return Verdict.allow();
        }
        if (matching.size() > 1) {
            String names = matching.stream().map(e -> "\"" + e.getMetadata().getName() + "\"")
                    .collect(Collectors.joining(" and "));
            return new Verdict(false, List.of("namespace \"" + namespace + "\" is selected by environments " + names
                    + "; a namespace belongs to one environment only, so its pods are refused until the "
                    + "environments' namespaceSelectors are fixed"), List.of());
        }
        Environment environment = matching.get(0);
        EnvironmentPolicy policy = environment.getSpec().policyOrDefault();
        List<ImageGlob> exempt = policy.exemptImagesOrEmpty().stream()
                .map(p -> globs.computeIfAbsent(p, ImageGlob::of)).toList();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (ContainerImage image : images) {
            ImageGlob exemption = exemption(exempt, image.image());
            if (exemption != null) {
                warnings.add(image.label() + ": image \"" + image.image() + "\" is admitted without checks by "
                        + "environment \"" + environment.getMetadata().getName() + "\"'s exemptImages pattern \""
                        + exemption.pattern() + "\"");
                continue;
            }
            String problem = problem(namespace, environment, policy, image);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (policy.effectiveMode() == PolicyMode.WARN) {
            List<String> all = new ArrayList<>(problems);
            all.addAll(warnings);
            return new Verdict(true, problems, all);
        }
        return new Verdict(problems.isEmpty(), problems, warnings);
    }

    private String problem(String namespace, Environment environment, EnvironmentPolicy policy,
            ContainerImage image) {
        String env = environment.getMetadata().getName();
        String registry = environment.getSpec().getRegistry();
        String label = image.label();
        if (image.image() == null || image.image().isBlank()) {
            return label + ": no image is given";
        }
        String written = image.image();
        ImageReference ref;
        try {
            ref = ImageReference.parse(written);
        } catch (InvalidReferenceException e) {
            return label + ": image \"" + written + "\" is not a valid image reference: " + e.getMessage();
        }
        String belongs = "namespace \"" + namespace + "\" belongs to environment \"" + env + "\", which runs images "
                + "from " + primaryHost + "/" + registry + " only";
        if (!hosts.contains(ref.domain().toLowerCase(Locale.ROOT))) {
            return label + ": image \"" + written + "\" does not come from the Gantry registry (" + primaryHost
                    + "); " + belongs;
        }
        String from = ref.path().first();
        if (!from.equals(registry)) {
            return label + ": image \"" + written + "\" comes from registry \"" + from + "\", but namespace \""
                    + namespace + "\" belongs to environment \"" + env + "\", which runs images from registry \""
                    + registry + "\" only";
        }
        if (ref.path().rest().isEmpty()) {
            return label + ": image \"" + written + "\" names registry \"" + registry + "\" but no repository in it";
        }
        if (!ref.hasDigest()) {
            if (policy.digestRequired()) {
                return label + ": image \"" + written + "\" is not pinned by digest; use " + ref.name()
                        + "@sha256:<digest>";
            }
            return null;
        }
        if (!policy.promotionVerified()) {
            return null;
        }
        String repository = ref.path().rest().get().value();
        String digest = ref.digest().toString();
        PromotedDigests.Check check = promoted.check(registry, repository, digest);
        return switch (check.answer()) {
            case HELD -> null;
            case NOT_HELD -> label + ": image \"" + written + "\" was never promoted to registry \"" + registry
                    + "\": it does not hold " + repository + "@" + digest;
            case UNKNOWN -> label + ": image \"" + written + "\" could not be checked against registry \"" + registry
                    + "\" (" + check.detail() + "), so it is refused until it can be";
        };
    }

    private static ImageGlob exemption(List<ImageGlob> exempt, String image) {
        if (image == null || exempt.isEmpty()) {
            return null;
        }
        String normalised = null;
        try {
            normalised = ImageReference.parse(image).toString();
        } catch (InvalidReferenceException e) {
            // Only the form as written can match.
        }
        for (ImageGlob glob : exempt) {
            if (glob.matches(image) || (normalised != null && glob.matches(normalised))) {
                return glob;
            }
        }
        return null;
    }
}
