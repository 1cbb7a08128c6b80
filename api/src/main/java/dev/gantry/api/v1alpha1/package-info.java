/**
 * The {@code gantry.dev/v1alpha1} custom resources. The Fabric8 CRD generator turns these classes into {@code crds/};
 * the CEL rules here mirror the Java validators in {@code dev.gantry.api.validation}, which the operator and the webhook
 * run where CEL is unavailable (the build fails if the committed CRDs drift from these classes).
 */
package dev.gantry.api.v1alpha1;
