package dev.gantry.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of namespaces (selected by label) whose pods may run images from one registry only. Cluster-scoped, since it
 * spans namespaces.
 */
@Group(Registry.GROUP)
@Version(Registry.VERSION)
@ShortNames("genv")
@Categories("gantry")
@ValidationRule(value = "has(self.spec)", message = "spec is required", reason = "FieldValueRequired",
        fieldPath = ".spec")
@AdditionalPrinterColumn(name = "Registry", jsonPath = ".spec.registry", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.policy.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Namespaces", jsonPath = ".status.namespaces",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Environment extends CustomResource<EnvironmentSpec, EnvironmentStatus> {
    public Environment() {
    }

    public Environment(String name, EnvironmentSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
