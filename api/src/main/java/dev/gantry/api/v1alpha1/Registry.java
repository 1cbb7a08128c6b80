package dev.gantry.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A named registry in the Gantry registry server. Cluster-scoped: its name is the first path component of every image
 * it serves ({@code HOST/<name>/<repository>}), so it must be a DNS-1123 label.
 */
@Group(Registry.GROUP)
@Version(Registry.VERSION)
@Plural("registries")
@ShortNames("greg")
@Categories("gantry")
@ValidationRule(value = "has(self.spec)", message = "spec is required", reason = "FieldValueRequired",
        fieldPath = ".spec")
@ValidationRule(value = "size(self.metadata.name) <= 63 && self.metadata.name.matches('" + Names.DNS_LABEL + "')",
        message = "metadata.name must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters): "
                + "it is the registry's path component in image references",
        reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.spec) || !has(self.spec.members) || !(self.metadata.name in self.spec.members)",
        message = "spec.members must not name the registry itself", reason = "FieldValueInvalid",
        fieldPath = ".spec.members")
@ValidationRule(value = "!has(self.spec) || !has(self.spec.promotionSources) || !(self.metadata.name in self.spec.promotionSources)",
        message = "spec.promotionSources must not name the registry itself",
        reason = "FieldValueInvalid", fieldPath = ".spec.promotionSources")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".status.url", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Registry extends CustomResource<RegistrySpec, RegistryStatus> {
    public static final String GROUP = "gantry.dev";
    public static final String VERSION = "v1alpha1";

    public Registry() {
    }

    public Registry(String name, RegistrySpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
