package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.api.selection.LabelSelectors;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/ and examples/ as CI can check them without a cluster: every kustomization renders with the real
 * {@code kubectl kustomize}, every object matches its schema (the API server's kinds through Fabric8's model, ours
 * through the committed CRDs and the shared validators), and the installation keeps the promises of the issue and
 * docs/SECURITY.md: hardened and sized containers with probes, least-privilege RBAC, a registry with TLS and access
 * control and no Kubernetes access, a webhook that fails closed and cannot lock out Gantry itself, and references
 * (Secrets, ConfigMaps, Services, ports) that resolve.
 */
class DeployManifestsTest {
    static final String NAMESPACE = "gantry-system";
    /** Secrets that no manifest contains: made by the bootstrap Job, by the installer (or cert-manager), by the operator. */
    static final Set<String> MADE_AT_RUN_TIME = Set.of("gantry-admin", "gantry-registry-tls", "gantry-webhook-tls",
            "gantry-webhook-registry");

    /** Every kustomization under deploy/, examples/ and crds/ (components are checked through the overlays using them). */
    static Stream<String> kustomizations() throws IOException {
        Path root = Manifests.root();
        List<String> found = new ArrayList<>();
        for (String top : List.of("deploy", "examples", "crds")) {
            try (Stream<Path> files = Files.walk(root.resolve(top))) {
                files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).sorted().forEach(f -> {
                    JsonNode doc = Manifests.read(f).get(0);
                    if (!"Component".equals(doc.path("kind").asText())) {
                        found.add(root.relativize(f.getParent()).toString());
                    }
                });
            }
        }
        assertThat(found).contains("deploy", "deploy/base", "deploy/overlays/kind", "deploy/overlays/cert-manager",
                "examples/pipeline", "crds");
        return found.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rendersAndEveryObjectMatchesItsSchema(String kustomization) {
        Rendered rendered = Rendered.of(kustomization);
        assertThat(rendered.documents()).as("%s renders nothing", kustomization).isNotEmpty();
        List<String> problems = new ArrayList<>(rendered.problems());
        for (HasMetadata object : rendered.objects()) {
            if (object.getApiVersion().startsWith(Manifests.GROUP + "/")) {
                problems.addAll(Manifests.gantryRefusals(object));
            }
        }
        for (JsonNode foreign : rendered.foreign()) {
            problems.addAll(CertManager.problems(foreign));
        }
        assertThat(problems).as("what the API server (or the webhook) would refuse in %s", kustomization).isEmpty();
        Set<String> seen = new HashSet<>();
        for (JsonNode doc : rendered.documents()) {
            String id = doc.path("apiVersion").asText() + " " + doc.path("kind").asText() + " "
                    + doc.path("metadata").path("namespace").asText("") + "/" + doc.path("metadata").path("name")
                    .asText();
            assertThat(seen.add(id)).as("%s appears twice in %s", id, kustomization).isTrue();
        }
    }

    @Test
    void deployIsTheBaseAndInstallsEverythingIntoGantrySystem() {
        Rendered deploy = Rendered.of("deploy");
        assertThat(deploy.documents()).isEqualTo(Rendered.of("deploy/base").documents());
        Namespace namespace = deploy.one(Namespace.class, NAMESPACE);
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(deploy.all(Namespace.class)).hasSize(1);
        for (HasMetadata object : deploy.objects()) {
            if (!clusterScoped(object)) {
                assertThat(object.getMetadata().getNamespace()).as("%s %s", object.getKind(),
                        object.getMetadata().getName()).isEqualTo(NAMESPACE);
            }
            assertThat(object.getMetadata().getLabels()).as("%s %s", object.getKind(), object.getMetadata().getName())
                    .containsEntry("app.kubernetes.io/part-of", "gantry");
        }
        assertThat(deploy.one(StatefulSet.class, "gantry-registry")).isNotNull();
        assertThat(deploy.one(Deployment.class, "gantry-operator")).isNotNull();
        assertThat(deploy.one(Deployment.class, "gantry-webhook")).isNotNull();
        assertThat(deploy.one(Job.class, "gantry-bootstrap")).isNotNull();
    }

    @Test
    void theCrdsAreExactlyTheCommittedFiles() throws IOException {
        Set<String> committed = new HashSet<>();
        try (Stream<Path> files = Files.list(Manifests.root().resolve("crds"))) {
            files.filter(f -> f.getFileName().toString().endsWith("-v1.yml"))
                    .forEach(f -> committed.add(Manifests.read(f).get(0).path("metadata").path("name").asText()));
        }
        assertThat(committed).hasSize(3);
        Set<String> installed = Rendered.of("deploy").all(CustomResourceDefinition.class).stream()
                .map(crd -> crd.getMetadata().getName()).collect(Collectors.toSet());
        assertThat(installed).as("crds/kustomization.yaml must list every generated CRD").isEqualTo(committed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installations")
    void everyContainerIsHardenedSizedAndProbed(String kustomization) {
        Rendered rendered = Rendered.of(kustomization);
        assertThat(rendered.podTemplates()).isNotEmpty();
        rendered.podTemplates().forEach((workload, template) -> {
            PodSpec pod = template.getSpec();
            boolean longRunning = !workload.startsWith("Job/") && !workload.startsWith("CronJob/");
            List<Container> containers = new ArrayList<>(pod.getContainers());
            Optional.ofNullable(pod.getInitContainers()).ifPresent(containers::addAll);
            for (Container c : containers) {
                String what = workload + " container " + c.getName();
                for (String resource : List.of("cpu", "memory")) {
                    assertThat(c.getResources().getRequests()).as("%s requests", what).containsKey(resource);
                    assertThat(c.getResources().getLimits()).as("%s limits", what).containsKey(resource);
                    assertThat(Quantity.getAmountInBytes(c.getResources().getRequests().get(resource)))
                            .as("%s: %s request within its limit", what, resource)
                            .isLessThanOrEqualTo(Quantity.getAmountInBytes(c.getResources().getLimits().get(resource)));
                }
                var security = c.getSecurityContext();
                assertThat(security).as("%s securityContext", what).isNotNull();
                assertThat(Boolean.TRUE.equals(security.getRunAsNonRoot())
                        || Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot())).as("%s runAsNonRoot", what)
                        .isTrue();
                assertThat(Optional.ofNullable(security.getRunAsUser())
                        .or(() -> Optional.ofNullable(pod.getSecurityContext().getRunAsUser())))
                        .as("%s: a numeric non-root user, since images may not declare one", what)
                        .hasValueSatisfying(uid -> assertThat(uid).isPositive());
                assertThat(security.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", what).isFalse();
                assertThat(security.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", what).isTrue();
                assertThat(security.getCapabilities().getDrop()).as("%s drops", what).containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as("%s adds", what).isNullOrEmpty();
                String seccomp = Optional.ofNullable(security.getSeccompProfile())
                        .or(() -> Optional.ofNullable(pod.getSecurityContext().getSeccompProfile()))
                        .map(p -> p.getType()).orElse(null);
                assertThat(seccomp).as("%s seccompProfile", what).isEqualTo("RuntimeDefault");
                Volume tmp = mountedVolume(pod, c, "/tmp").orElse(null);
                assertThat(tmp).as("%s: a writable /tmp on a read-only root", what).isNotNull();
                assertThat(tmp.getEmptyDir()).as("%s: /tmp is an emptyDir", what).isNotNull();
                assertThat(c.getImage()).as("%s image", what)
                        .matches("(gantry-(registry|operator|webhook)|registry\\.k8s\\.io/kubectl):[\\w.-]+");
                assertThat(env(c, "QUARKUS_TLS_")).as("%s: Quarkus does not map QUARKUS_TLS_<name>_... variables back "
                        + "to the named TLS configuration; set those keys in a QUARKUS_CONFIG_LOCATIONS file", what)
                        .isEmpty();
                if (longRunning) {
                    boolean tls = properties(rendered, pod, c).keySet().stream().anyMatch(k -> k.startsWith("quarkus.tls."));
                    assertProbe(what + " startup", c, c.getStartupProbe(), "/q/health/live", tls);
                    assertProbe(what + " liveness", c, c.getLivenessProbe(), "/q/health/live", tls);
                    assertProbe(what + " readiness", c, c.getReadinessProbe(), "/q/health/ready", tls);
                }
            }
            for (Volume volume : pod.getVolumes()) {
                assertThat(volume.getHostPath()).as("%s volume %s", workload, volume.getName()).isNull();
            }
            assertThat(pod.getHostNetwork()).as("%s hostNetwork", workload).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getHostPID()).as("%s hostPID", workload).isNotEqualTo(Boolean.TRUE);
        });
    }

    static Stream<String> installations() {
        return Stream.of("deploy", "deploy/overlays/kind", "deploy/overlays/cert-manager");
    }

    private static void assertProbe(String what, Container c, Probe probe, String path, boolean tls) {
        assertThat(probe).as(what).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as(what + " httpGet").isNotNull();
        assertThat(get.getPath()).as(what + " path").isEqualTo(path);
        assertThat(get.getScheme()).as(what + " scheme (plain HTTP is off once TLS is configured)")
                .isEqualTo(tls ? "HTTPS" : null);
        assertThat(port(c, get.getPort())).as(what + " port is one the container declares").isPresent();
    }

    @Test
    void theRegistryServesHttpsWithAccessControlAndHasNoKubernetesAccess() {
        Rendered deploy = Rendered.of("deploy");
        StatefulSet registry = deploy.one(StatefulSet.class, "gantry-registry");
        assertThat(registry.getSpec().getReplicas()).as("SQLite on one volume, token key in one process").isEqualTo(1);
        PodSpec pod = registry.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(env(c, "GANTRY_AUTH_ENABLED")).hasValue("true");
        assertThat(env(c, "QUARKUS_HTTP_INSECURE_REQUESTS")).as("plain HTTP stays off").isEmpty();
        assertFileFromSecret(pod, c, "GANTRY_AUTH_ADMIN_PASSWORD_FILE", "gantry-admin", "password");
        Map<String, String> properties = properties(deploy, pod, c);
        assertFileFromSecret(pod, c, properties, "quarkus.tls.gantry.key-store.pem.0.cert", "gantry-registry-tls",
                "tls.crt");
        assertFileFromSecret(pod, c, properties, "quarkus.tls.gantry.key-store.pem.0.key", "gantry-registry-tls",
                "tls.key");
        assertThat(properties).as("plain HTTP stays off").doesNotContainKey("quarkus.http.insecure-requests");
        assertThat(port(c, new IntOrString("https"))).map(ContainerPort::getContainerPort).hasValue(5443);

        String dataDir = env(c, "GANTRY_DATA_DIR").orElseThrow();
        assertThat(registry.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(c.getVolumeMounts()).anyMatch(m -> m.getName().equals(claim.getMetadata().getName())
                    && m.getMountPath().equals(dataDir));
        });

        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        ServiceAccount account = deploy.one(ServiceAccount.class, pod.getServiceAccountName());
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(boundSubjects(deploy)).as("no role is bound to the registry's ServiceAccount")
                .doesNotContain(pod.getServiceAccountName());

        Service service = deploy.one(Service.class, "gantry-registry");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(5443);
            assertThat(port(c, p.getTargetPort())).isPresent();
        });
    }

    @Test
    void theOperatorAndTheWebhookReachTheRegistryOverVerifiedHttps() {
        Rendered deploy = Rendered.of("deploy");
        Map<String, String> settings = settings(deploy);
        URI url = URI.create(settings.get("registry-url"));
        assertThat(url.getScheme()).isEqualTo("https");
        Service service = deploy.one(Service.class, url.getHost().split("\\.")[0]);
        assertThat(url.getHost()).isEqualTo(service.getMetadata().getName() + "." + NAMESPACE + ".svc");
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).contains(url.getPort());
        assertThat(settings.get("registry-hosts").split(",")).contains(url.getAuthority());

        for (String component : List.of("operator", "webhook")) {
            Deployment deployment = deploy.one(Deployment.class, "gantry-" + component);
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            String prefix = "GANTRY_" + component.toUpperCase() + "_REGISTRY_";
            assertThat(configMapKey(c, prefix + "URL")).hasValue("registry-url");
            assertThat(configMapKey(c, prefix + "HOSTS")).hasValue("registry-hosts");
            // The operator administers with the bootstrap admin; the webhook only pulls, with the robot the operator
            // mints for it.
            String credentials = component.equals("operator") ? "gantry-admin" : "gantry-webhook-registry";
            assertFileFromSecret(pod, c, prefix + "PASSWORD_FILE", credentials, "password");
            assertFileFromSecret(pod, c, prefix + "CA_FILE", "gantry-registry-tls", "ca.crt");
            assertThat(c.getEnv()).filteredOn(e -> e.getName().equals(prefix + "USERNAME")).singleElement()
                    .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(credentials));
            for (Volume volume : pod.getVolumes()) {
                if (volume.getSecret() != null && volume.getSecret().getSecretName().equals("gantry-registry-tls")) {
                    assertThat(volume.getSecret().getItems()).as("%s gets the registry's CA, never its key", component)
                            .extracting(i -> i.getKey()).containsExactly("ca.crt");
                }
            }
        }
        Container operator = deploy.one(Deployment.class, "gantry-operator").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(operator.getEnv()).filteredOn(e -> e.getName().equals("POD_NAMESPACE")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace"));
        assertThat(env(operator, "GANTRY_OPERATOR_WEBHOOK_CERTIFICATES_ENABLED")).hasValue("true");
        assertThat(env(operator, "GANTRY_OPERATOR_WEBHOOK_CERTIFICATES_SERVICE_NAME")).hasValue("gantry-webhook");
        assertThat(env(operator, "GANTRY_OPERATOR_WEBHOOK_CERTIFICATES_WEBHOOK_CONFIGURATION"))
                .hasValue("gantry-webhook");
    }

    @Test
    void theWebhookFailsClosedForEveryPodSourceButCannotLockOutGantry() {
        Rendered deploy = Rendered.of("deploy");
        ValidatingWebhookConfiguration configuration = deploy.one(ValidatingWebhookConfiguration.class,
                "gantry-webhook");
        Deployment webhook = deploy.one(Deployment.class, "gantry-webhook");
        Container c = webhook.getSpec().getTemplate().getSpec().getContainers().get(0);
        Service service = deploy.one(Service.class, "gantry-webhook");
        Set<String> covered = new HashSet<>();
        assertThat(configuration.getWebhooks()).isNotEmpty();
        for (ValidatingWebhook hook : configuration.getWebhooks()) {
            assertThat(hook.getFailurePolicy()).isEqualTo("Fail");
            assertThat(hook.getTimeoutSeconds()).isEqualTo(5);
            assertThat(hook.getSideEffects()).isEqualTo("None");
            assertThat(hook.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(hook.getClientConfig().getCaBundle()).as("the operator writes the caBundle").isNull();
            var target = hook.getClientConfig().getService();
            assertThat(target.getName()).isEqualTo(service.getMetadata().getName());
            assertThat(target.getNamespace()).isEqualTo(NAMESPACE);
            assertThat(target.getPath()).isEqualTo("/validate");
            ServicePort servicePort = service.getSpec().getPorts().stream()
                    .filter(p -> p.getPort().equals(target.getPort())).findFirst().orElseThrow();
            assertThat(port(c, servicePort.getTargetPort())).map(ContainerPort::getContainerPort).hasValue(8443);

            for (String excluded : List.of(NAMESPACE, "kube-system")) {
                assertThat(LabelSelectors.matches(hook.getNamespaceSelector(),
                        Map.of("kubernetes.io/metadata.name", excluded))).as("%s is excluded", excluded).isFalse();
            }
            assertThat(LabelSelectors.matches(hook.getNamespaceSelector(),
                    Map.of("kubernetes.io/metadata.name", "shop-prod"))).isTrue();
            assertThat(hook.getNamespaceSelector().getMatchExpressions()).extracting(LabelSelectorRequirement::getKey)
                    .containsOnly("kubernetes.io/metadata.name");
            for (RuleWithOperations rule : hook.getRules()) {
                assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE");
                assertThat(rule.getApiVersions()).doesNotContain("*");
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        covered.add(group + "/" + resource);
                    }
                }
            }
        }
        // Exactly what the webhook handles (PodTemplates, GantryResourceValidation): it denies any other kind sent.
        assertThat(covered).containsExactlyInAnyOrder("/pods", "/pods/ephemeralcontainers", "apps/deployments",
                "apps/statefulsets", "apps/daemonsets", "apps/replicasets", "batch/jobs", "batch/cronjobs",
                "gantry.dev/registries", "gantry.dev/environments", "gantry.dev/promotions");

        assertThat(webhook.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(webhook.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        PodDisruptionBudget budget = deploy.one(PodDisruptionBudget.class, "gantry-webhook");
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(LabelSelectors.matches(budget.getSpec().getSelector(),
                webhook.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        PodSpec pod = webhook.getSpec().getTemplate().getSpec();
        Map<String, String> properties = properties(deploy, pod, c);
        assertFileFromSecret(pod, c, properties, "quarkus.tls.webhook.key-store.pem.0.cert", "gantry-webhook-tls",
                "tls.crt");
        assertFileFromSecret(pod, c, properties, "quarkus.tls.webhook.key-store.pem.0.key", "gantry-webhook-tls",
                "tls.key");
    }

    @Test
    void rbacGrantsEachComponentOnlyWhatItUses() {
        Rendered deploy = Rendered.of("deploy");
        List<PolicyRule> everyRule = new ArrayList<>();
        deploy.all(ClusterRole.class).forEach(r -> everyRule.addAll(r.getRules()));
        deploy.all(Role.class).forEach(r -> everyRule.addAll(r.getRules()));
        for (PolicyRule rule : everyRule) {
            assertThat(rule.getVerbs()).as("no wildcard verbs").doesNotContain("*", "escalate", "bind", "impersonate");
            assertThat(rule.getResources()).as("no wildcard resources").doesNotContain("*");
            assertThat(rule.getApiGroups()).as("no wildcard groups").doesNotContain("*");
            if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
                assertThat(rule.getVerbs()).as("create cannot be limited by name").doesNotContain("create");
            }
        }
        // Nothing may create workloads or read pods: Gantry does not run anything on anyone's behalf.
        assertThat(everyRule).noneMatch(r -> r.getResources().stream().anyMatch(res -> res.startsWith("pods")
                || List.of("deployments", "statefulsets", "daemonsets", "jobs", "clusterroles", "roles",
                        "rolebindings", "clusterrolebindings").contains(res)));

        ClusterRole webhook = deploy.one(ClusterRole.class, "gantry-webhook");
        assertThat(webhook.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).containsOnly("get", "list", "watch"));
        assertThat(webhook.getRules()).flatExtracting(PolicyRule::getResources)
                .containsExactlyInAnyOrder("environments", "namespaces");

        ClusterRole operator = deploy.one(ClusterRole.class, "gantry-operator");
        assertThat(verbs(operator.getRules(), "gantry.dev", "registries")).doesNotContain("create", "delete");
        assertThat(verbs(operator.getRules(), "gantry.dev", "promotions/status")).contains("patch");
        assertThat(verbs(operator.getRules(), "", "secrets")).contains("create", "update", "delete", "watch");
        assertThat(verbs(operator.getRules(), "", "serviceaccounts")).contains("patch").doesNotContain("create",
                "delete");
        assertThat(verbs(operator.getRules(), "", "namespaces")).containsOnly("get", "list", "watch");
        assertThat(operator.getRules()).filteredOn(r -> r.getResources().contains("validatingwebhookconfigurations"))
                .singleElement().satisfies(r -> assertThat(r.getResourceNames()).containsExactly("gantry-webhook"));
        assertThat(verbs(operator.getRules(), "authorization.k8s.io", "selfsubjectrulesreviews"))
                .containsExactly("create");
        assertThat(operator.getRules()).noneMatch(r -> r.getResources().contains("leases"));
        // Java Operator SDK refuses to start unless it holds create, update and get on its Lease.
        Role election = deploy.one(Role.class, "gantry-operator-leader-election");
        assertThat(election.getRules()).allSatisfy(r -> {
            assertThat(r.getResources()).containsExactly("leases");
            assertThat(r.getResourceNames()).isSubsetOf("gantry-operator");
        });
        assertThat(verbs(election.getRules(), "coordination.k8s.io", "leases")).contains("create", "update", "get");

        Role bootstrap = deploy.one(Role.class, "gantry-bootstrap");
        assertThat(bootstrap.getRules()).allSatisfy(r -> assertThat(r.getResources()).containsExactly("secrets"));
        assertThat(verbs(bootstrap.getRules(), "", "secrets")).containsExactlyInAnyOrder("get", "create");
        assertThat(bootstrap.getRules()).filteredOn(r -> r.getVerbs().contains("get")).singleElement()
                .satisfies(r -> assertThat(r.getResourceNames()).containsExactly("gantry-admin"));
        assertThat(deploy.all(ClusterRoleBinding.class)).flatExtracting(ClusterRoleBinding::getSubjects)
                .extracting(Subject::getName).doesNotContain("gantry-bootstrap");

        Set<String> accounts = deploy.all(ServiceAccount.class).stream().map(a -> a.getMetadata().getName())
                .collect(Collectors.toSet());
        Set<String> roles = deploy.all(Role.class).stream().map(r -> r.getMetadata().getName()).collect(
                Collectors.toSet());
        Set<String> clusterRoles = deploy.all(ClusterRole.class).stream().map(r -> r.getMetadata().getName()).collect(
                Collectors.toSet());
        deploy.all(RoleBinding.class).forEach(b -> assertBinding(b.getRoleRef(), b.getSubjects(), roles, clusterRoles,
                accounts));
        deploy.all(ClusterRoleBinding.class).forEach(b -> assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole"));
        deploy.all(ClusterRoleBinding.class).forEach(b -> assertBinding(b.getRoleRef(), b.getSubjects(), Set.of(),
                clusterRoles, accounts));
        deploy.podTemplates().forEach((workload, template) -> assertThat(accounts).as(workload)
                .contains(template.getSpec().getServiceAccountName()));
    }

    private static void assertBinding(RoleRef ref, List<Subject> subjects, Set<String> roles, Set<String> clusterRoles,
            Set<String> accounts) {
        assertThat(ref.getKind().equals("Role") ? roles : clusterRoles).contains(ref.getName());
        assertThat(subjects).allSatisfy(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            assertThat(accounts).contains(s.getName());
        });
    }

    private static Set<String> verbs(List<PolicyRule> rules, String group, String resource) {
        return rules.stream().filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream()).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installations")
    void everyReferenceResolves(String kustomization) {
        Rendered rendered = Rendered.of(kustomization);
        Set<String> configMaps = rendered.all(ConfigMap.class).stream().map(m -> m.getMetadata().getName())
                .collect(Collectors.toSet());
        Set<String> secrets = new HashSet<>(MADE_AT_RUN_TIME);
        rendered.podTemplates().forEach((workload, template) -> {
            PodSpec pod = template.getSpec();
            Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
            if (workload.startsWith("StatefulSet/")) {
                rendered.one(StatefulSet.class, workload.substring("StatefulSet/".length())).getSpec()
                        .getVolumeClaimTemplates().forEach(claim -> volumes.add(claim.getMetadata().getName()));
            }
            for (Volume v : pod.getVolumes()) {
                if (v.getSecret() != null) {
                    assertThat(secrets).as("%s volume %s", workload, v.getName()).contains(v.getSecret().getSecretName());
                }
                if (v.getConfigMap() != null) {
                    assertThat(configMaps).as("%s volume %s", workload, v.getName()).contains(v.getConfigMap().getName());
                }
            }
            for (Container c : pod.getContainers()) {
                for (VolumeMount m : c.getVolumeMounts()) {
                    assertThat(volumes).as("%s mounts %s", workload, m.getName()).contains(m.getName());
                    assertThat(m.getSubPath()).as("%s: a subPath mount never sees a renewed Secret", workload).isNull();
                }
                for (EnvVar e : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = e.getValueFrom().getConfigMapKeyRef();
                        ConfigMap map = rendered.one(ConfigMap.class, ref.getName());
                        assertThat(map.getData()).as("%s env %s", workload, e.getName()).containsKey(ref.getKey());
                    }
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(secrets).as("%s env %s", workload, e.getName())
                                .contains(e.getValueFrom().getSecretKeyRef().getName());
                    }
                }
            }
        });
        for (Service service : rendered.all(Service.class)) {
            List<PodTemplateSpec> selected = rendered.podTemplates().values().stream()
                    .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(
                            service.getSpec().getSelector().entrySet())).toList();
            assertThat(selected).as("Service %s selects one workload", service.getMetadata().getName()).hasSize(1);
            for (ServicePort p : service.getSpec().getPorts()) {
                assertThat(selected.get(0).getSpec().getContainers()).as("Service %s port %s",
                        service.getMetadata().getName(), p.getName())
                        .anyMatch(c -> port(c, p.getTargetPort()).isPresent());
            }
        }
    }

    @Test
    void theKindOverlayPublishesTheRegistryOnNodePort30500() {
        Rendered kind = Rendered.of("deploy/overlays/kind");
        Service service = kind.one(Service.class, "gantry-registry");
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(5443);
            assertThat(p.getNodePort()).isEqualTo(30500);
        });
        assertThat(settings(kind).get("registry-hosts").split(",")).startsWith("localhost:30500")
                .contains(URI.create(settings(kind).get("registry-url")).getAuthority());
        kind.podTemplates().forEach((workload, template) -> template.getSpec().getContainers().stream()
                .filter(c -> c.getImage().startsWith("gantry/"))
                .forEach(c -> assertThat(c.getImagePullPolicy()).as("%s: kind-loaded image", workload)
                        .isEqualTo("IfNotPresent")));
        // The cluster config maps the same port to the host's loopback, so localhost:30500 works on both sides.
        JsonNode cluster = Manifests.read(Manifests.root().resolve("deploy/overlays/kind/kind-cluster.yaml")).get(0);
        assertThat(cluster.path("kind").asText()).isEqualTo("Cluster");
        assertThat(cluster.path("nodes").get(0).path("extraPortMappings").get(0).path("containerPort").asInt())
                .isEqualTo(30500);
        // Everything else is the base's.
        Set<String> base = Rendered.of("deploy").objects().stream().map(DeployManifestsTest::id).collect(
                Collectors.toSet());
        assertThat(kind.objects().stream().map(DeployManifestsTest::id).collect(Collectors.toSet())).isEqualTo(base);
    }

    @Test
    void theCertManagerOverlayIssuesTheSecretTheRegistryMounts() {
        Rendered overlay = Rendered.of("deploy/overlays/cert-manager");
        List<JsonNode> certificates = overlay.foreign().stream()
                .filter(d -> d.path("kind").asText().equals("Certificate")).toList();
        JsonNode registry = certificates.stream().filter(d -> d.path("spec").path("secretName").asText()
                .equals("gantry-registry-tls")).findFirst().orElseThrow();
        List<String> names = new ArrayList<>();
        registry.path("spec").path("dnsNames").forEach(n -> names.add(n.asText()));
        assertThat(names).contains(URI.create(settings(overlay).get("registry-url")).getHost());
        String issuer = registry.path("spec").path("issuerRef").path("name").asText();
        assertThat(overlay.foreign()).anyMatch(d -> d.path("kind").asText().equals("Issuer")
                && d.path("metadata").path("name").asText().equals(issuer) && d.path("spec").has("ca"));
        assertThat(overlay.foreign()).allMatch(d -> d.path("metadata").path("namespace").asText().equals(NAMESPACE));
    }

    static Map<String, String> settings(Rendered rendered) {
        List<ConfigMap> maps = rendered.all(ConfigMap.class).stream()
                .filter(m -> m.getMetadata().getName().startsWith("gantry-settings")).toList();
        assertThat(maps).hasSize(1);
        return maps.get(0).getData();
    }

    /** Generated ConfigMaps carry a hash of their content in the name: compare without it. */
    private static String id(HasMetadata o) {
        String name = o instanceof ConfigMap ? o.getMetadata().getName().replaceFirst("-[a-z0-9]{10}$", "")
                : o.getMetadata().getName();
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + name;
    }

    private static boolean clusterScoped(HasMetadata object) {
        return object instanceof Namespace || object instanceof CustomResourceDefinition || object instanceof ClusterRole
                || object instanceof ClusterRoleBinding || object instanceof ValidatingWebhookConfiguration;
    }

    private static Set<String> boundSubjects(Rendered rendered) {
        Set<String> subjects = new HashSet<>();
        rendered.all(RoleBinding.class).forEach(b -> b.getSubjects().forEach(s -> subjects.add(s.getName())));
        rendered.all(ClusterRoleBinding.class).forEach(b -> b.getSubjects().forEach(s -> subjects.add(s.getName())));
        return subjects;
    }

    static Optional<String> env(Container c, String name) {
        return Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
                .filter(e -> name.endsWith("_") ? e.getName().startsWith(name) : e.getName().equals(name))
                .map(EnvVar::getValue).filter(Objects::nonNull).findFirst();
    }

    private static Optional<String> configMapKey(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name) && e.getValueFrom() != null
                && e.getValueFrom().getConfigMapKeyRef() != null)
                .map(e -> e.getValueFrom().getConfigMapKeyRef().getKey()).findFirst();
    }

    static Optional<ContainerPort> port(Container c, IntOrString port) {
        return Optional.ofNullable(c.getPorts()).orElse(List.of()).stream().filter(p -> port.getStrVal() != null
                ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort())).findFirst();
    }

    private static Optional<Volume> mountedVolume(PodSpec pod, Container c, String mountPath) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath)).findFirst()
                .flatMap(m -> pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName())).findFirst());
    }

    /**
     * The Quarkus properties of the files QUARKUS_CONFIG_LOCATIONS names, read from the ConfigMaps mounted there
     * (empty without the variable).
     */
    static Map<String, String> properties(Rendered rendered, PodSpec pod, Container c) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String location : env(c, "QUARKUS_CONFIG_LOCATIONS").map(l -> l.split(",")).orElse(new String[0])) {
            Path file = Path.of(location.trim());
            Volume volume = mountedVolume(pod, c, file.getParent().toString()).orElseThrow(
                    () -> new AssertionError(c.getName() + ": nothing is mounted where " + file + " should be"));
            assertThat(volume.getConfigMap()).as("%s: %s comes from a ConfigMap", c.getName(), file).isNotNull();
            String data = rendered.one(ConfigMap.class, volume.getConfigMap().getName()).getData()
                    .get(file.getFileName().toString());
            assertThat(data).as("%s: ConfigMap %s has %s", c.getName(), volume.getConfigMap().getName(),
                    file.getFileName()).isNotNull();
            Properties parsed = new Properties();
            try {
                parsed.load(new StringReader(data));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            parsed.stringPropertyNames().forEach(name -> properties.put(name, parsed.getProperty(name)));
        }
        return properties;
    }

    private static void assertFileFromSecret(PodSpec pod, Container c, Map<String, String> properties, String property,
            String secret, String key) {
        assertThat(properties).as("%s sets %s", c.getName(), property).containsKey(property);
        assertFileFromSecret(pod, c, property, properties.get(property), secret, key);
    }

    private static void assertFileFromSecret(PodSpec pod, Container c, String variable, String secret, String key) {
        String file = env(c, variable).orElseThrow(() -> new AssertionError(c.getName() + " sets no " + variable));
        assertFileFromSecret(pod, c, variable, file, secret, key);
    }

    /** The file the setting names is key {@code key} of Secret {@code secret}, mounted whole (no subPath). */
    private static void assertFileFromSecret(PodSpec pod, Container c, String variable, String file, String secret,
            String key) {
        Path path = Path.of(file);
        String directory = path.getParent().toString();
        Volume volume = mountedVolume(pod, c, directory).orElseThrow(
                () -> new AssertionError(variable + "=" + file + ": nothing is mounted at " + directory));
        assertThat(volume.getSecret()).as("%s: %s is a Secret volume", variable, directory).isNotNull();
        assertThat(volume.getSecret().getSecretName()).as(variable).isEqualTo(secret);
        String name = path.getFileName().toString();
        if (volume.getSecret().getItems() == null || volume.getSecret().getItems().isEmpty()) {
            assertThat(name).as(variable).isEqualTo(key);
        } else {
            assertThat(volume.getSecret().getItems()).as("%s: %s holds key %s", variable, file, key)
                    .anyMatch(i -> i.getKey().equals(key) && i.getPath().equals(name));
        }
        assertThat(c.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals(directory)).singleElement()
                .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    }
}
