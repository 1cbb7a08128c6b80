package dev.gantry.operator;

import dev.gantry.testing.RegistryServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentSpec;
import dev.gantry.api.v1alpha1.PullSecret;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.operator.environment.PullSecrets;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EnvironmentReconcilerTest extends OperatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STAGE = "gantry.dev/stage";

    @Test
    void aSelectedNamespaceGetsAPullSecretThatPullsFromItsRegistryAndNoOther() throws Exception {
        Setup s = setup();
        String digest = registryServer.pushImage(s.registry(), "team/app", "1.0");
        String other = unique("other");
        client.resource(new Registry(other, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + other).statusCode() == 200);
        String otherDigest = registryServer.pushImage(other, "team/app", "1.0");

        Secret secret = awaitSecret(s.namespace(), PullSecret.DEFAULT_NAME);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> {
                    assertThat(owner.getKind()).isEqualTo("Environment");
                    assertThat(owner.getName()).isEqualTo(s.environment());
                });
        Credentials credentials = credentials(secret);
        assertThat(credentials.hosts()).containsExactlyInAnyOrder(RegistryServerResource.PUBLIC_HOST,
                registryServer.hostPort());

        assertThat(pull(credentials, s.registry(), digest)).as("its own registry").isEqualTo(200);
        assertThat(pull(credentials, other, otherDigest)).as("another registry").isEqualTo(403);
        assertThat(registryServer.statusOf("POST", "/v2/" + s.registry() + "/team/app/blobs/uploads/",
                credentials.username(), credentials.password())).as("pull only: no push").isEqualTo(403);
        assertThat(registryServer.statusOf("DELETE", "/v2/" + s.registry() + "/team/app/manifests/" + digest,
                credentials.username(), credentials.password())).as("pull only: no delete").isEqualTo(403);

        ServiceAccount account = eventually().until(() -> client.serviceAccounts().inNamespace(s.namespace())
                .withName("default").get(), sa -> sa.getImagePullSecrets() != null
                        && !sa.getImagePullSecrets().isEmpty());
        assertThat(account.getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("keep-me", PullSecret.DEFAULT_NAME);

        Environment ready = eventually().until(() -> environment(s.environment()),
                e -> e.getStatus() != null && Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY));
        assertThat(ready.getStatus().getNamespaces()).containsExactly(s.namespace());
        assertThat(ready.getStatus().getCredentialsRotatedAt()).isNotBlank();
        assertThat(eventReasons(ready)).contains(EventReason.CredentialsIssued.name());
    }

    @Test
    void aNamespaceThatStopsMatchingLosesItsSecretAndItsCredentialStopsWorking() throws Exception {
        Setup s = setup();
        String digest = registryServer.pushImage(s.registry(), "team/app", "1.0");
        Credentials credentials = credentials(awaitSecret(s.namespace(), PullSecret.DEFAULT_NAME));
        assertThat(pull(credentials, s.registry(), digest)).isEqualTo(200);

        client.namespaces().withName(s.namespace()).edit(ns -> {
            ns.getMetadata().getLabels().put(STAGE, "elsewhere");
            return ns;
        });

        eventually().until(() -> client.secrets().inNamespace(s.namespace()).withName(PullSecret.DEFAULT_NAME)
                .get() == null);
        eventually().until(() -> pull(credentials, s.registry(), digest) == 401);
        ServiceAccount account = eventually().until(() -> client.serviceAccounts().inNamespace(s.namespace())
                .withName("default").get(), sa -> sa.getImagePullSecrets().size() == 1);
        assertThat(account.getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("keep-me");
        Environment after = eventually().until(() -> environment(s.environment()),
                e -> e.getStatus().getNamespaces().isEmpty());
        assertThat(eventReasons(after)).contains(EventReason.CredentialsRevoked.name());

        // Matching again brings a new credential.
        client.namespaces().withName(s.namespace()).edit(ns -> {
            ns.getMetadata().getLabels().put(STAGE, s.stage());
            return ns;
        });
        Credentials again = credentials(awaitSecret(s.namespace(), PullSecret.DEFAULT_NAME));
        assertThat(pull(again, s.registry(), digest)).isEqualTo(200);
    }

    @Test
    void aNamespaceRelabelledForAnotherStageMovesToThatEnvironmentsRegistry() throws Exception {
        Setup qa = setup();
        String qaDigest = registryServer.pushImage(qa.registry(), "team/app", "1.0");
        String staging = unique("reg");
        client.resource(new Registry(staging, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + staging).statusCode() == 200);
        String stagingDigest = registryServer.pushImage(staging, "team/app", "1.0");
        String stagingStage = unique("stage");
        String stagingEnv = unique("env");
        client.resource(new Environment(stagingEnv, spec(staging, stagingStage))).create();
        Credentials before = credentials(awaitSecret(qa.namespace(), PullSecret.DEFAULT_NAME));

        client.namespaces().withName(qa.namespace()).edit(ns -> {
            ns.getMetadata().getLabels().put(STAGE, stagingStage);
            return ns;
        });

        Secret moved = eventually().until(() -> client.secrets().inNamespace(qa.namespace())
                .withName(PullSecret.DEFAULT_NAME).get(), secret -> secret != null
                        && PullSecrets.ownedBy(secret, stagingEnv));
        Credentials after = credentials(moved);
        assertThat(pull(after, staging, stagingDigest)).isEqualTo(200);
        assertThat(pull(after, qa.registry(), qaDigest)).isEqualTo(403);
        assertThat(pull(before, qa.registry(), qaDigest)).as("the qa credential is revoked").isEqualTo(401);
        eventually().until(() -> environment(stagingEnv), e -> Conditions.isTrue(e.getStatus().getConditions(),
                Conditions.READY) && e.getStatus().getNamespaces().equals(List.of(qa.namespace())));
        eventually().until(() -> environment(qa.environment()), e -> e.getStatus().getNamespaces().isEmpty());
        assertThat(client.serviceAccounts().inNamespace(qa.namespace()).withName("default").get()
                .getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("keep-me", PullSecret.DEFAULT_NAME);
    }

    @Test
    void aDueCredentialIsRotatedAndTheOldSecretWorksOnlyForTheOverlap() throws Exception {
        Setup s = setup();
        String digest = registryServer.pushImage(s.registry(), "team/app", "1.0");
        Secret first = awaitSecret(s.namespace(), PullSecret.DEFAULT_NAME);
        Credentials old = credentials(first);

        // The rotation period (24 h by default) is measured from this annotation; move it back past one period.
        Instant longAgo = Instant.now().minus(Duration.ofDays(2));
        client.secrets().inNamespace(s.namespace()).withName(PullSecret.DEFAULT_NAME).edit(secret -> {
            secret.getMetadata().getAnnotations().put(PullSecrets.ROTATED_AT_ANNOTATION, longAgo.toString());
            return secret;
        });

        Secret rotated = eventually().until(() -> client.secrets().inNamespace(s.namespace())
                .withName(PullSecret.DEFAULT_NAME).get(), secret -> !credentials(secret).password()
                        .equals(old.password()));
        Instant rotatedAt = Instant.parse(PullSecrets.annotation(rotated, PullSecrets.ROTATED_AT_ANNOTATION));
        assertThat(rotatedAt).isAfter(longAgo.plus(Duration.ofDays(1)));
        Credentials fresh = credentials(rotated);
        assertThat(fresh.username()).isEqualTo(old.username());
        assertThat(pull(fresh, s.registry(), digest)).isEqualTo(200);
        assertThat(pull(old, s.registry(), digest)).as("within the overlap").isEqualTo(200);

        eventually().atMost(RegistryServer.ROTATION_OVERLAP.plusSeconds(20))
                .until(() -> pull(old, s.registry(), digest) == 401);
        assertThat(pull(fresh, s.registry(), digest)).isEqualTo(200);
        Environment env = eventually().until(() -> environment(s.environment()),
                e -> Instant.parse(e.getStatus().getCredentialsRotatedAt()).equals(rotatedAt));
        assertThat(eventReasons(env)).contains(EventReason.CredentialsRotated.name());
    }

    @Test
    void aNamespaceSelectedByTwoEnvironmentsIsAnErrorOnBothAndNeitherChangesIt() throws Exception {
        String registry = unique("reg");
        client.resource(new Registry(registry, RegistrySpec.local())).create();
        String stage = unique("stage");
        String namespace = namespace(stage);
        String first = unique("env-a");
        String second = unique("env-b");
        client.resource(new Environment(first, spec(registry, stage))).create();
        // The first provisions the namespace before the second exists (created together, the order would race).
        Secret before = awaitSecret(namespace, PullSecret.DEFAULT_NAME);
        client.resource(new Environment(second, spec(registry, stage))).create();

        for (String[] pair : new String[][] {{first, second}, {second, first}}) {
            Environment env = eventually().until(() -> environment(pair[0]), e -> e.getStatus() != null
                    && "NamespaceConflict".equals(readyReason(e)));
            Condition ready = condition(env.getStatus().getConditions(), Conditions.READY);
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getMessage()).contains("namespace " + namespace).contains(pair[1]);
            assertThat(eventReasons(env)).contains(EventReason.NamespaceConflict.name());
        }
        Secret during = client.secrets().inNamespace(namespace).withName(PullSecret.DEFAULT_NAME).get();
        assertThat(during.getMetadata().getResourceVersion()).as("neither environment changed the namespace")
                .isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(PullSecrets.ownedBy(during, first)).isTrue();

        // Fixing one selector ends the conflict for both.
        client.resources(Environment.class).withName(second).edit(e -> {
            e.getSpec().setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels(STAGE, unique("none"))
                    .build());
            return e;
        });
        eventually().until(() -> environment(first), e -> Conditions.isTrue(e.getStatus().getConditions(),
                Conditions.READY));
        eventually().until(() -> environment(second), e -> Conditions.isTrue(e.getStatus().getConditions(),
                Conditions.READY));
        assertThat(PullSecrets.ownedBy(awaitSecret(namespace, PullSecret.DEFAULT_NAME), first)).isTrue();
    }

    @Test
    void aSecretSomeoneElseOwnsIsLeftAloneAndReported() throws Exception {
        String registry = unique("reg");
        client.resource(new Registry(registry, RegistrySpec.local())).create();
        String stage = unique("stage");
        String namespace = namespace(stage);
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName(PullSecret.DEFAULT_NAME).withNamespace(namespace).endMetadata()
                .addToData("note", Base64.getEncoder().encodeToString("mine".getBytes())).build()).create();
        String env = unique("env");
        client.resource(new Environment(env, spec(registry, stage))).create();

        Environment reported = eventually().until(() -> environment(env), e -> e.getStatus() != null
                && "ProvisioningFailed".equals(readyReason(e)));
        assertThat(condition(reported.getStatus().getConditions(), Conditions.READY).getMessage())
                .contains("is not managed by environment " + env);
        assertThat(client.secrets().inNamespace(namespace).withName(PullSecret.DEFAULT_NAME).get().getData())
                .containsOnlyKeys("note");
    }

    @Test
    void withoutServiceAccountPatchingTheSecretIsWrittenUnderItsConfiguredName() throws Exception {
        String registry = unique("reg");
        client.resource(new Registry(registry, RegistrySpec.local())).create();
        String stage = unique("stage");
        String namespace = namespace(stage);
        EnvironmentSpec spec = spec(registry, stage);
        PullSecret pullSecret = new PullSecret();
        pullSecret.setName("registry-login");
        pullSecret.setPatchDefaultServiceAccount(false);
        spec.setPullSecret(pullSecret);
        String env = unique("env");
        client.resource(new Environment(env, spec)).create();

        awaitSecret(namespace, "registry-login");
        eventually().until(() -> environment(env), e -> e.getStatus() != null
                && Conditions.isTrue(e.getStatus().getConditions(), Conditions.READY));
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("default").get().getImagePullSecrets())
                .extracting(LocalObjectReference::getName).containsExactly("keep-me");
    }

    @Test
    void deletingTheEnvironmentRemovesItsSecretsAndRevokesTheirCredentials() throws Exception {
        Setup s = setup();
        String digest = registryServer.pushImage(s.registry(), "team/app", "1.0");
        Credentials credentials = credentials(awaitSecret(s.namespace(), PullSecret.DEFAULT_NAME));
        eventually().until(() -> client.serviceAccounts().inNamespace(s.namespace()).withName("default").get()
                .getImagePullSecrets().size() == 2);

        client.resources(Environment.class).withName(s.environment()).delete();

        eventually().until(() -> environment(s.environment()) == null);
        assertThat(client.secrets().inNamespace(s.namespace()).withName(PullSecret.DEFAULT_NAME).get()).isNull();
        assertThat(pull(credentials, s.registry(), digest)).isEqualTo(401);
        assertThat(client.serviceAccounts().inNamespace(s.namespace()).withName("default").get()
                .getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("keep-me");
    }

    private record Setup(String registry, String stage, String namespace, String environment) {
    }

    private record Credentials(String username, String password, List<String> hosts) {
    }

    /** A Registry, a namespace labelled for a fresh stage (with its default ServiceAccount) and its Environment. */
    private Setup setup() {
        String registry = unique("reg");
        client.resource(new Registry(registry, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + registry).statusCode() == 200);
        String stage = unique("stage");
        String namespace = namespace(stage);
        String env = unique("env");
        client.resource(new Environment(env, spec(registry, stage))).create();
        return new Setup(registry, stage, namespace, env);
    }

    /**
     * A namespace labelled for {@code stage}, and the {@code default} ServiceAccount Kubernetes would create in it
     * (the mock API server runs no controllers), already listing a pull Secret of its own.
     */
    private String namespace(String stage) {
        String namespace = unique("ns");
        client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).addToLabels(STAGE, stage)
                .endMetadata().build()).create();
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName("default").withNamespace(namespace)
                .endMetadata().addNewImagePullSecret("keep-me").build()).create();
        return namespace;
    }

    private static EnvironmentSpec spec(String registry, String stage) {
        EnvironmentSpec spec = new EnvironmentSpec();
        spec.setRegistry(registry);
        spec.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels(STAGE, stage).build());
        return spec;
    }

    private Secret awaitSecret(String namespace, String name) {
        return eventually().until(() -> client.secrets().inNamespace(namespace).withName(name).get(),
                secret -> secret != null && secret.getData() != null
                        && secret.getData().containsKey(PullSecrets.KEY));
    }

    private Environment environment(String name) {
        return client.resources(Environment.class).withName(name).get();
    }

    private static String readyReason(Environment environment) {
        Condition ready = Conditions.find(environment.getStatus().getConditions(), Conditions.READY);
        return ready == null ? null : ready.getReason();
    }

    /** What a kubelet reads from the Secret: the registry login for each host. */
    private static Credentials credentials(Secret secret) {
        try {
            JsonNode auths = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(PullSecrets.KEY)))
                    .path("auths");
            List<String> hosts = new java.util.ArrayList<>();
            auths.fieldNames().forEachRemaining(hosts::add);
            JsonNode first = auths.get(hosts.get(0));
            String decoded = new String(Base64.getDecoder().decode(first.path("auth").asText()));
            String username = first.path("username").asText();
            String password = first.path("password").asText();
            assertThat(decoded).isEqualTo(username + ":" + password);
            for (Map.Entry<String, JsonNode> host : (Iterable<Map.Entry<String, JsonNode>>) auths::fields) {
                assertThat(host.getValue().path("password").asText()).isEqualTo(password);
            }
            return new Credentials(username, password, hosts);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private int pull(Credentials credentials, String registry, String digest) throws java.io.IOException {
        return registryServer.as(credentials.username(), credentials.password(), "/v2/" + registry
                + "/team/app/manifests/" + digest).statusCode();
    }
}
