package dev.gantry.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to promote one image between registries. Namespaced, so teams can be given RBAC over their own
 * promotions; its spec is immutable, a new promotion is a new resource (and a record).
 */
@Group(Registry.GROUP)
@Version(Registry.VERSION)
@ShortNames("promo")
@Categories("gantry")
@ValidationRule(value = "has(self.spec)", message = "spec is required", reason = "FieldValueRequired",
        fieldPath = ".spec")
@ValidationRule(value = "self.spec == oldSelf.spec",
        message = "spec is immutable: create a new Promotion to promote again", reason = "FieldValueForbidden",
        fieldPath = ".spec")
@AdditionalPrinterColumn(name = "Repository", jsonPath = ".spec.repository", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "From", jsonPath = ".spec.from", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "To", jsonPath = ".spec.to", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Digest", jsonPath = ".status.digest", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Promotion extends CustomResource<PromotionSpec, PromotionStatus> implements Namespaced {
    public Promotion() {
    }

    public Promotion(String namespace, String name, PromotionSpec spec) {
        getMetadata().setNamespace(namespace);
        getMetadata().setName(name);
        setSpec(spec);
    }
}
