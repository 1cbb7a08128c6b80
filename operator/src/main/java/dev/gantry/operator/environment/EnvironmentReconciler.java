package dev.gantry.operator.environment;

import dev.gantry.api.selection.LabelSelectors;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentStatus;
import dev.gantry.api.v1alpha1.PullSecret;
import dev.gantry.api.validation.EnvironmentValidator;
import dev.gantry.api.validation.FieldErrors;
import dev.gantry.operator.Conditions;
import dev.gantry.operator.EventReason;
import dev.gantry.operator.Events;
import dev.gantry.operator.OperatorSettings;
import dev.gantry.operator.Statuses;
import dev.gantry.operator.client.RegistryClient;
import dev.gantry.operator.client.RegistryException;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Gives every namespace an Environment selects a pull credential for that environment's registry, and only that:
 * a robot account minted through the registry's management API (pull on {@code spec.registry}), written as a
 * {@code kubernetes.io/dockerconfigjson} Secret owned by the Environment, optionally added to the namespace's
 * {@code default} ServiceAccount. Credentials are rotated every rotation period (the registry keeps the old secret
 * valid for its overlap, so running pulls are not cut off) and revoked when a namespace leaves the environment. A
 * namespace two Environments select belongs to neither: both report it and neither changes it.
 */
@ApplicationScoped
@ControllerConfiguration(name = "environment")
public class EnvironmentReconciler implements Reconciler<Environment>, Cleaner<Environment> {
    /** A namespace whose {@code default} ServiceAccount does not exist yet is looked at again this soon. */
    private static final Duration SERVICE_ACCOUNT_WAIT = Duration.ofSeconds(5);
    /** A namespace moving in from another environment is looked at again this soon. */
    private static final Duration HANDOVER_WAIT = Duration.ofSeconds(2);

    @Inject
    RegistryClient registryServer;
    @Inject
    Events events;
    @Inject
    OperatorSettings settings;
    @Inject
    KubernetesClient client;

    @Override
    public List<EventSource<?, Environment>> prepareEventSources(EventSourceContext<Environment> context) {
        // Any namespace change may move it into or out of any environment: all of them look (there are few).
        InformerEventSource<Namespace, Environment> namespaces = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Namespace.class, Environment.class).withName("namespaces")
                        .withSecondaryToPrimaryMapper(ns -> everyEnvironment(context)).build(), context);
        InformerEventSource<Secret, Environment> secrets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, Environment.class).withName("pull-secrets")
                        .withLabelSelector(PullSecrets.MANAGED_BY_LABEL + "=" + PullSecrets.MANAGED_BY)
                        .withSecondaryToPrimaryMapper(secret -> {
                            String owner = secret.getMetadata().getLabels() == null ? null
                                    : secret.getMetadata().getLabels().get(PullSecrets.ENVIRONMENT_LABEL);
                            return owner == null ? Set.of() : Set.of(new ResourceID(owner));
                        }).build(), context);
        // Another environment's selector changing can create or end a conflict over a namespace.
        InformerEventSource<Environment, Environment> peers = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Environment.class, Environment.class).withName("peers")
                        .withSecondaryToPrimaryMapper(env -> everyEnvironment(context))
                        .withOnUpdateFilter((newer, older) -> !Objects.equals(newer.getMetadata().getGeneration(),
                                older.getMetadata().getGeneration()))
                        .build(), context);
        return List.of(namespaces, secrets, peers);
    }

    private static Set<ResourceID> everyEnvironment(EventSourceContext<Environment> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<Environment> reconcile(Environment environment, Context<Environment> context) {
        String name = environment.getMetadata().getName();
        Long generation = environment.getMetadata().getGeneration();
        EnvironmentStatus status = Statuses.copy(environment.getStatus(), EnvironmentStatus.class,
                EnvironmentStatus::new);
        status.setObservedGeneration(generation);
        FieldErrors errors = EnvironmentValidator.validate(environment);
        if (!errors.isEmpty()) {
            status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, "InvalidSpec",
                    errors.summary(), generation));
            return Statuses.patchIfChanged(environment, status);
        }
        PullSecret pullSecret = environment.getSpec().pullSecretOrDefault();
        List<String> matched = namespaces(context).stream()
                .filter(ns -> ns.getMetadata().getDeletionTimestamp() == null)
                .filter(ns -> LabelSelectors.matches(environment.getSpec().getNamespaceSelector(),
                        ns.getMetadata().getLabels()))
                .map(ns -> ns.getMetadata().getName()).sorted().toList();
        Map<String, List<String>> conflicts = conflicts(environment, matched, context);
        Map<String, Secret> owned = new TreeMap<>();
        for (Secret secret : context.getSecondaryResources(Secret.class)) {
            if (PullSecrets.ownedBy(secret, name)) {
                owned.put(secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName(), secret);
            }
        }

        List<String> problems = new ArrayList<>();
        Instant now = Instant.now();
        Duration next = settings.environmentResync();
        Instant lastRotation = null;
        for (String namespace : matched) {
            if (conflicts.containsKey(namespace)) {
                String message = "namespace " + namespace + " is also selected by environment "
                        + String.join(", ", conflicts.get(namespace)) + "; a namespace belongs to one environment"
                        + " only, so neither manages it until the selectors are fixed";
                problems.add(message);
                continue;
            }
            Secret existing = owned.remove(namespace + "/" + pullSecret.effectiveName());
            Provisioned result;
            try {
                result = provision(environment, namespace, pullSecret, existing, now, context);
            } catch (RegistryException e) {
                if (e.isTransient()) {
                    throw e;
                }
                problems.add("namespace " + namespace + ": the registry refused a pull credential: " + e.code() + ": "
                        + e.getMessage());
                continue;
            }
            if (result.problem() != null) {
                problems.add(result.problem());
            }
            if (result.rotatedAt() != null) {
                lastRotation = lastRotation == null || result.rotatedAt().isAfter(lastRotation) ? result.rotatedAt()
                        : lastRotation;
                Duration untilRotation = Duration.between(now, result.rotatedAt()
                        .plus(settings.credentials().rotationPeriod()));
                next = min(next, untilRotation);
            }
            next = min(next, result.retryIn());
        }
        // What is left was written by this environment for a namespace it no longer manages, or under an old name.
        for (Secret stale : owned.values()) {
            if (!conflicts.containsKey(stale.getMetadata().getNamespace())) {
                remove(environment, stale);
            }
        }
        for (String former : status.getNamespaces()) {
            if (!matched.contains(former)) {
                registryServer.revoke(PullSecrets.robotName(name, former)); // its Secret may have gone with it
            }
        }

        status.setNamespaces(matched);
        if (lastRotation != null) {
            status.setCredentialsRotatedAt(lastRotation.toString());
        }
        boolean conflicted = !conflicts.isEmpty();
        String previous = readyMessage(environment);
        String message = problems.isEmpty()
                ? matched.size() + " namespace(s) hold a pull credential for registry "
                        + environment.getSpec().getRegistry()
                : String.join("; ", problems);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, problems.isEmpty(),
                problems.isEmpty() ? "Provisioned" : conflicted ? "NamespaceConflict" : "ProvisioningFailed",
                message, generation));
        if (!problems.isEmpty() && !message.equals(previous)) {
            events.record(environment, conflicted ? EventReason.NamespaceConflict : EventReason.PullSecretBlocked,
                    message);
        }
        return Statuses.patchIfChanged(environment, status).rescheduleAfter(min(next, settings.environmentResync())
                .plusMillis(50));
    }

    @Override
    public ErrorStatusUpdateControl<Environment> updateErrorStatus(Environment environment,
            Context<Environment> context, Exception e) {
        EnvironmentStatus status = Statuses.copy(environment.getStatus(), EnvironmentStatus.class,
                EnvironmentStatus::new);
        String reason = e instanceof RegistryException r ? r.code() : "ReconcileError";
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, reason,
                e.getMessage() + " (retrying)", environment.getMetadata().getGeneration()));
        environment.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(environment);
    }

    @Override
    public DeleteControl cleanup(Environment environment, Context<Environment> context) {
        String name = environment.getMetadata().getName();
        for (Secret secret : context.getSecondaryResources(Secret.class)) {
            if (PullSecrets.ownedBy(secret, name)) {
                remove(environment, secret);
            }
        }
        if (environment.getStatus() != null) {
            for (String namespace : environment.getStatus().getNamespaces()) {
                registryServer.revoke(PullSecrets.robotName(name, namespace));
            }
        }
        return DeleteControl.defaultDelete();
    }

    private record Provisioned(Instant rotatedAt, Duration retryIn, String problem) {
    }

    /** Makes the namespace hold a current credential for the environment's registry. */
    private Provisioned provision(Environment environment, String namespace, PullSecret pullSecret, Secret existing,
            Instant now, Context<Environment> context) {
        String env = environment.getMetadata().getName();
        String registry = environment.getSpec().getRegistry();
        String secretName = pullSecret.effectiveName();
        String robot = PullSecrets.robotName(env, namespace);
        List<String> hosts = registryServer.hosts();
        Secret current = existing;
        if (current == null) {
            Secret foreign = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (foreign != null && PullSecrets.managedByAnotherEnvironment(foreign, env)) {
                // The namespace is moving here from another environment, which removes its Secret on its own turn.
                String problem = "namespace " + namespace + ": Secret " + secretName + " still belongs to environment "
                        + foreign.getMetadata().getLabels().get(PullSecrets.ENVIRONMENT_LABEL) + "; waiting for it";
                return new Provisioned(null, HANDOVER_WAIT, problem);
            }
            if (foreign != null && !PullSecrets.ownedBy(foreign, env)) {
                String problem = "namespace " + namespace + ": Secret " + secretName + " exists and is not managed "
                        + "by environment " + env + "; delete it or set spec.pullSecret.name";
                return new Provisioned(null, settings.environmentResync(), problem);
            }
            current = foreign;
        }
        Instant rotatedAt;
        if (current == null) {
            RegistryClient.Credential credential = issue(robot, registry);
            context.resourceOperations().create(PullSecrets.build(environment, namespace, secretName, registry,
                    robot, credential.secret(), hosts, now));
            rotatedAt = now;
            events.record(environment, EventReason.CredentialsIssued, "pull credential " + robot + " for registry "
                    + registry + " written to " + namespace + "/" + secretName);
        } else if (!registry.equals(PullSecrets.annotation(current, PullSecrets.REGISTRY_ANNOTATION))
                || !robot.equals(PullSecrets.annotation(current, PullSecrets.CREDENTIAL_ANNOTATION))
                || PullSecrets.password(current).isEmpty()) {
            // The environment now uses another registry (or the Secret was tampered with): a fresh robot, and the
            // old one loses its access at once.
            String old = PullSecrets.annotation(current, PullSecrets.CREDENTIAL_ANNOTATION);
            if (old != null && !old.equals(robot)) {
                registryServer.revoke(old);
            }
            RegistryClient.Credential credential = issue(robot, registry);
            replace(environment, current, registry, robot, credential.secret(), hosts, now, context);
            rotatedAt = now;
            events.record(environment, EventReason.CredentialsIssued, "pull credential " + robot + " for registry "
                    + registry + " replaced in " + namespace + "/" + secretName);
        } else if (PullSecrets.rotatedAt(current).map(at -> !at.plus(settings.credentials().rotationPeriod())
                .isAfter(now)).orElse(true)) {
            RegistryClient.Credential credential;
            try {
                credential = registryServer.rotate(robot);
            } catch (RegistryException e) {
                if (!"CREDENTIAL_UNKNOWN".equals(e.code())) {
                    throw e;
                }
                credential = registryServer.mintPullCredential(robot, registry);
            }
            replace(environment, current, registry, robot, credential.secret(), hosts, now, context);
            rotatedAt = now;
            events.record(environment, EventReason.CredentialsRotated, "pull credential " + robot + " in "
                    + namespace + "/" + secretName + " rotated; the previous secret stays valid for the registry's "
                    + "rotation overlap");
        } else {
            rotatedAt = PullSecrets.rotatedAt(current).orElse(now);
            if (!PullSecrets.sameHosts(current, hosts)) {
                replace(environment, current, registry, robot, PullSecrets.password(current).orElseThrow(), hosts,
                        rotatedAt, context);
            }
        }
        Duration retry = settings.environmentResync();
        if (pullSecret.patchesDefaultServiceAccount() && !addToDefaultServiceAccount(namespace, secretName)) {
            retry = SERVICE_ACCOUNT_WAIT;
        }
        return new Provisioned(rotatedAt, retry, null);
    }

    /** Mints the namespace's robot; one left over (its Secret lost) is replaced, since its secret is unknown. */
    private RegistryClient.Credential issue(String robot, String registry) {
        try {
            return registryServer.mintPullCredential(robot, registry);
        } catch (RegistryException e) {
            if (!"CREDENTIAL_EXISTS".equals(e.code())) {
                throw e;
            }
            registryServer.revoke(robot);
            return registryServer.mintPullCredential(robot, registry);
        }
    }

    private void replace(Environment environment, Secret current, String registry, String robot, String password,
            List<String> hosts, Instant rotatedAt, Context<Environment> context) {
        Secret next = PullSecrets.build(environment, current.getMetadata().getNamespace(),
                current.getMetadata().getName(), registry, robot, password, hosts, rotatedAt);
        next.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        context.resourceOperations().update(next);
    }

    /** Whether the ServiceAccount lists the Secret now; false while it does not exist yet. */
    private boolean addToDefaultServiceAccount(String namespace, String secretName) {
        ServiceAccount account = client.serviceAccounts().inNamespace(namespace).withName("default").get();
        if (account == null) {
            return false;
        }
        if (account.getImagePullSecrets() != null && account.getImagePullSecrets().stream()
                .anyMatch(ref -> secretName.equals(ref.getName()))) {
            return true;
        }
        client.serviceAccounts().inNamespace(namespace).withName("default").edit(sa -> {
            List<LocalObjectReference> refs = sa.getImagePullSecrets() == null ? new ArrayList<>()
                    : new ArrayList<>(sa.getImagePullSecrets());
            if (refs.stream().noneMatch(ref -> secretName.equals(ref.getName()))) {
                refs.add(new LocalObjectReference(secretName));
            }
            sa.setImagePullSecrets(refs);
            return sa;
        });
        return true;
    }

    /** Takes a Secret this environment wrote out of its namespace: the Secret, its ServiceAccount entry, its robot. */
    private void remove(Environment environment, Secret secret) {
        String namespace = secret.getMetadata().getNamespace();
        String secretName = secret.getMetadata().getName();
        String robot = PullSecrets.annotation(secret, PullSecrets.CREDENTIAL_ANNOTATION);
        if (robot != null) {
            registryServer.revoke(robot);
        }
        ServiceAccount account = client.serviceAccounts().inNamespace(namespace).withName("default").get();
        if (account != null && account.getImagePullSecrets() != null && account.getImagePullSecrets().stream()
                .anyMatch(ref -> secretName.equals(ref.getName()))) {
            client.serviceAccounts().inNamespace(namespace).withName("default").edit(sa -> {
                sa.setImagePullSecrets(sa.getImagePullSecrets().stream()
                        .filter(ref -> !secretName.equals(ref.getName())).toList());
                return sa;
            });
        }
        client.secrets().inNamespace(namespace).withName(secretName).delete();
        events.record(environment, EventReason.CredentialsRevoked, "pull credential " + robot + " revoked and "
                + namespace + "/" + secretName + " removed");
    }

    /** The namespaces among {@code matched} that other (live, valid) environments also select, with their names. */
    private static Map<String, List<String>> conflicts(Environment environment, List<String> matched,
            Context<Environment> context) {
        Map<String, List<String>> conflicts = new TreeMap<>();
        if (matched.isEmpty()) {
            return conflicts;
        }
        Map<String, Map<String, String>> labels = new TreeMap<>();
        namespaces(context).forEach(ns -> labels.put(ns.getMetadata().getName(),
                ns.getMetadata().getLabels()));
        context.getPrimaryCache().list()
                .filter(other -> !other.getMetadata().getName().equals(environment.getMetadata().getName()))
                .filter(other -> other.getMetadata().getDeletionTimestamp() == null && other.getSpec() != null)
                .forEach(other -> {
                    for (String namespace : matched) {
                        if (LabelSelectors.matches(other.getSpec().getNamespaceSelector(), labels.get(namespace))) {
                            conflicts.computeIfAbsent(namespace, n -> new ArrayList<>())
                                    .add(other.getMetadata().getName());
                        }
                    }
                });
        conflicts.values().forEach(names -> names.sort(null));
        return conflicts;
    }

    /**
     * Every namespace, from the informer's cache (no API call). Not {@code getSecondaryResources}: the SDK indexes a
     * namespace under the environments that existed when the namespace last changed, so a new environment would
     * not see namespaces created before it.
     */
    @SuppressWarnings("unchecked")
    private static List<Namespace> namespaces(Context<Environment> context) {
        InformerEventSource<Namespace, Environment> source = (InformerEventSource<Namespace, Environment>) context
                .eventSourceRetriever().getEventSourceFor(Namespace.class);
        return source.list().toList();
    }

    private static String readyMessage(Environment environment) {
        if (environment.getStatus() == null) {
            return null;
        }
        var ready = Conditions.find(environment.getStatus().getConditions(), Conditions.READY);
        return ready == null ? null : ready.getMessage();
    }

    private static Duration min(Duration a, Duration b) {
        Duration smaller = a.compareTo(b) <= 0 ? a : b;
        return smaller.isNegative() ? Duration.ZERO : smaller;
    }
}
