package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checker itself: it must catch what a real API server would refuse, or the manifest tests prove nothing. */
class ManifestsTest {
    private static List<String> problems(String yaml) throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<HasMetadata> object = Manifests.typed(Manifests.documents(yaml).get(0), problems);
        object.filter(o -> o.getApiVersion().startsWith("gantry.dev/"))
                .ifPresent(o -> problems.addAll(Manifests.gantryRefusals(o)));
        return problems;
    }

    @Test
    void aValidDeploymentHasNoProblem() throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<HasMetadata> object = Manifests.typed(Manifests.documents("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i:1
                          resources: {limits: {cpu: "1", memory: 1Gi}}
                          readinessProbe: {httpGet: {path: /q/health/ready, port: http, scheme: HTTPS}}
                """).get(0), problems);
        assertThat(problems).isEmpty();
        assertThat(object).get().isInstanceOf(Deployment.class);
    }

    @Test
    void aMisspeltFieldDeepInsideABuiltInKindIsCaught() throws IOException {
        assertThat(problems("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          securityContext: {readOnlyRootFileSystem: true}
                """)).singleElement().asString()
                .contains("spec.template.spec.containers[0].securityContext", "readOnlyRootFileSystem");
    }

    @Test
    void aValueOfTheWrongShapeIsCaught() throws IOException {
        assertThat(problems("""
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec:
                  ports: {name: https, port: 443}
                """)).isNotEmpty();
    }

    @Test
    void anUnknownKindOrVersionIsCaught() throws IOException {
        assertThat(problems("""
                apiVersion: apps/v1beta1
                kind: Deployment
                metadata: {name: d}
                """)).singleElement().asString().contains("not a Kubernetes kind");
        assertThat(problems("""
                apiVersion: gantry.dev/v1
                kind: Registry
                metadata: {name: dev}
                """)).singleElement().asString().contains("v1alpha1");
    }

    @Test
    void ourResourcesAreCheckedByFieldNameCrdSchemaAndValidators() throws IOException {
        assertThat(problems("""
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata: {name: qa}
                spec: {type: Local, promotionSource: [dev]}
                """)).singleElement().asString().contains("promotionSource");
        assertThat(problems("""
                apiVersion: gantry.dev/v1alpha1
                kind: Environment
                metadata: {name: qa}
                spec:
                  registry: qa
                  namespaceSelector: {matchLabel: {gantry.dev/stage: qa}}
                """)).singleElement().asString().contains("matchLabel");
        assertThat(problems("""
                apiVersion: gantry.dev/v1alpha1
                kind: Promotion
                metadata: {name: p, namespace: n}
                spec: {repository: shop/app, from: dev, to: dev, tag: "1.0"}
                """)).anySatisfy(p -> assertThat(p).contains("CRD refuses spec.to"))
                .anySatisfy(p -> assertThat(p).contains("spec.to").doesNotContain("CRD"));
    }
}
