package dev.gantry.operator.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistryStatus;
import dev.gantry.api.v1alpha1.SecretReference;
import dev.gantry.api.validation.FieldErrors;
import dev.gantry.api.validation.RegistryValidator;
import dev.gantry.operator.Conditions;
import dev.gantry.operator.EventReason;
import dev.gantry.operator.Events;
import dev.gantry.operator.OperatorSettings;
import dev.gantry.operator.Statuses;
import dev.gantry.operator.client.RegistryClient;
import dev.gantry.operator.client.RegistryException;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Keeps the registry server's registries equal to the Registry resources: PUT on every reconciliation (idempotent,
 * and re-asserted every resync, so a registry changed behind the operator's back is put right), DELETE through a
 * finalizer. A registry that holds content survives deletion of its resource unless the resource is annotated
 * {@value #FORCE_DELETE}{@code ="true"}; until then the resource stays, saying why.
 */
@ApplicationScoped
@ControllerConfiguration(name = "registry")
public class RegistryReconciler implements Reconciler<Registry>, Cleaner<Registry> {
    public static final String FORCE_DELETE = "gantry.dev/force-delete";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RegistryClient registryServer;
    @Inject
    Events events;
    @Inject
    OperatorSettings settings;

    @Override
    public UpdateControl<Registry> reconcile(Registry registry, Context<Registry> context) {
        String name = registry.getMetadata().getName();
        RegistryStatus status = Statuses.copy(registry.getStatus(), RegistryStatus.class, RegistryStatus::new);
        status.setObservedGeneration(registry.getMetadata().getGeneration());
        FieldErrors errors = RegistryValidator.validate(registry);
        if (!errors.isEmpty()) {
            return notReady(registry, status, "InvalidSpec", errors.summary(), EventReason.InvalidSpec, null);
        }
        ObjectNode body;
        try {
            body = definition(registry, context);
        } catch (MissingCredentials e) {
            return notReady(registry, status, "CredentialsSecretMissing", e.getMessage(), EventReason.RegistryRefused,
                    settings.refusedRetry());
        }
        RegistryClient.RegistryView view;
        try {
            view = registryServer.putRegistry(name, body);
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw e;
            }
            // Often resolved by another resource (a member or promotion source applied later): look again soon.
            return notReady(registry, status, e.code(), e.getMessage(), EventReason.RegistryRefused,
                    settings.refusedRetry());
        }
        boolean wasReady = Conditions.isTrue(status.getConditions(), Conditions.READY);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, true, "Synced",
                "the registry server holds " + name + " as specified", registry.getMetadata().getGeneration()));
        status.setUrl(registryServer.hosts().get(0) + "/" + name);
        status.setRepositories(view.repositories());
        status.setManifests(view.manifests());
        status.setStoredBytes(view.storedBytes());
        if (!wasReady) {
            events.record(registry, EventReason.RegistrySynced, "registry " + name + " is served at "
                    + status.getUrl());
        }
        return Statuses.patchIfChanged(registry, status).rescheduleAfter(settings.registryResync());
    }

    @Override
    public ErrorStatusUpdateControl<Registry> updateErrorStatus(Registry registry, Context<Registry> context,
            Exception e) {
        RegistryStatus status = Statuses.copy(registry.getStatus(), RegistryStatus.class, RegistryStatus::new);
        String reason = e instanceof RegistryException r ? r.code() : "ReconcileError";
        boolean wasUnreachable = !Conditions.isTrue(status.getConditions(), Conditions.READY)
                && Conditions.find(status.getConditions(), Conditions.READY) != null
                && reason.equals(Conditions.find(status.getConditions(), Conditions.READY).getReason());
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, reason,
                e.getMessage() + " (retrying)", registry.getMetadata().getGeneration()));
        if (!wasUnreachable) {
            events.record(registry, EventReason.RegistryUnreachable, e.getMessage());
        }
        registry.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(registry);
    }

    @Override
    public DeleteControl cleanup(Registry registry, Context<Registry> context) {
        String name = registry.getMetadata().getName();
        boolean force = "true".equalsIgnoreCase(registry.getMetadata().getAnnotations() == null ? null
                : registry.getMetadata().getAnnotations().get(FORCE_DELETE));
        try {
            registryServer.deleteRegistry(name, force);
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw e;
            }
            String hint = "REGISTRY_NOT_EMPTY".equals(e.code())
                    ? "; to delete it with its content: kubectl annotate registry " + name + " " + FORCE_DELETE
                            + "=true"
                    : "";
            String message = "not deleted: " + e.getMessage() + hint;
            RegistryStatus status = Statuses.copy(registry.getStatus(), RegistryStatus.class, RegistryStatus::new);
            if (!message.equals(readyMessage(registry))) {
                events.record(registry, EventReason.RegistryDeletionBlocked, message);
                status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, e.code(),
                        message, registry.getMetadata().getGeneration()));
                context.resourceOperations().jsonPatchPrimaryStatus(registry, r -> {
                    r.setStatus(status);
                    return r;
                });
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.refusedRetry().toMillis());
        }
        events.record(registry, EventReason.RegistryDeleted, "registry " + name + " deleted from the registry server"
                + (force ? " with its content" : ""));
        return DeleteControl.defaultDelete();
    }

    private static String readyMessage(Registry registry) {
        if (registry.getStatus() == null) {
            return null;
        }
        var ready = Conditions.find(registry.getStatus().getConditions(), Conditions.READY);
        return ready == null ? null : ready.getMessage();
    }

    private UpdateControl<Registry> notReady(Registry registry, RegistryStatus status, String reason, String message,
            EventReason event, java.time.Duration retry) {
        String previous = readyMessage(registry);
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false, reason, message,
                registry.getMetadata().getGeneration()));
        if (!message.equals(previous)) {
            events.record(registry, event, message);
        }
        UpdateControl<Registry> control = Statuses.patchIfChanged(registry, status);
        return retry == null ? control : control.rescheduleAfter(retry);
    }

    /** The spec as the registry server takes it: the upstream's credentials read from their Secret. */
    private ObjectNode definition(Registry registry, Context<Registry> context) {
        ObjectNode body = JSON.valueToTree(registry.getSpec());
        ObjectNode upstream = (ObjectNode) body.get("upstream");
        if (upstream != null) {
            upstream.remove("credentialsSecret");
            SecretReference ref = registry.getSpec().getUpstream().getCredentialsSecret();
            if (ref != null) {
                Secret secret = context.getClient().secrets().inNamespace(ref.getNamespace()).withName(ref.getName())
                        .get();
                Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
                String username = decode(data.get("username"));
                String password = decode(data.get("password"));
                if (username == null || password == null) {
                    throw new MissingCredentials("spec.upstream.credentialsSecret: Secret " + ref.getNamespace() + "/"
                            + ref.getName() + (secret == null ? " does not exist" : " lacks the keys username and "
                                    + "password"));
                }
                upstream.put("username", username);
                upstream.put("password", password);
            }
        }
        return body;
    }

    private static String decode(String base64) {
        return base64 == null ? null : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static final class MissingCredentials extends RuntimeException {
        MissingCredentials(String message) {
            super(message);
        }
    }
}
