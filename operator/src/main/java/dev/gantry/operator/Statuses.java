package dev.gantry.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Status writes: computed on a copy, sent only when something changed (a resync that finds everything as it was
 * writes nothing, so it triggers no watch events and no loops). JOSDK sends them as JSON Patch on the status
 * subresource, not server-side apply, in production as in tests.
 */
public final class Statuses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Statuses() {
    }

    /** A deep copy of {@code status}, or a fresh one. */
    public static <S> S copy(S status, Class<S> type, Supplier<S> fresh) {
        return status == null ? fresh.get() : JSON.convertValue(status, type);
    }

    public static <S, R extends CustomResource<?, S>> UpdateControl<R> patchIfChanged(R resource, S status) {
        if (same(resource.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        resource.setStatus(status);
        return UpdateControl.patchStatus(resource);
    }

    public static boolean same(Object a, Object b) {
        return Objects.equals(JSON.valueToTree(a), JSON.valueToTree(b));
    }
}
