package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionStatus;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.testing.Certificates;
import dev.gantry.testing.MockApiServer;
import dev.gantry.testing.QuarkusProcess;
import dev.gantry.testing.RegistryServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole chain on a machine without a cluster, in one run: the three real processes — the registry over HTTPS with
 * access control, the operator and the webhook, both against the Fabric8 mock API server (the only Kubernetes API
 * these machines have) — and real clients: skopeo pushes to dev; Registries, an Environment and Promotions are
 * declared as resources and the operator carries them out; the webhook, serving the certificate the operator issued
 * and asking the registry with the credential the operator minted for it, answers the AdmissionReviews kube-apiserver
 * would send; containerd pulls with the pull Secret the operator wrote into the environment's namespace, and that
 * credential is refused by the next stage's registry.
 *
 * <p>Each process's log, containerd's and every client command are kept in {@code target/system-test-<time>/}.
 *
 * <p>Where the mock API server forced a choice, the step says so: it answers no SelfSubjectRulesReview, so the operator
 * runs without leader election; it runs no controllers, so the test creates the namespace's {@code default}
 * ServiceAccount; it calls no webhooks, so the test sends the AdmissionReviews itself.
 */
class SystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SYSTEM_NAMESPACE = "gantry-system";
    private static final String QA_NAMESPACE = "shop-qa";
    private static final String PROD_NAMESPACE = "shop-prod";
    private static final String REPOSITORY = "team/app";
    /** The name kube-apiserver dials for the ValidatingWebhookConfiguration's Service (deploy/base/webhook). */
    private static final String WEBHOOK_SERVICE = "gantry-webhook." + SYSTEM_NAMESPACE + ".svc";

    /** Held here, so the handler set on it is not lost with a collected logger. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    /** Everything started, closed in reverse order after the test, passed or failed. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private Path dir;
    private Clients clients;
    private MockApiServer api;
    private KubernetesClient kube;
    private RegistryServer registry;
    private Path registryCa;

    @AfterEach
    void stopEverything() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("SystemTest: could not stop something: " + e);
            }
        }
        if (dir != null) {
            System.out.println("SystemTest: logs in " + dir);
        }
    }

    @Test
    void anImagePushedToDevIsPromotedAdmittedAndPulledOnlyFromItsEnvironmentsRegistry() throws Exception {
        // The real clients first: without them there is nothing to prove (skipped, or failed when required).
        String skopeo = Clients.require("skopeo", "skopeo");
        String containerd = Clients.require("containerd", "containerd");
        String ctr = Clients.require("ctr", "containerd");
        Clients.require("openssl", "openssl");
        for (String module : List.of("registry", "operator", "webhook")) {
            QuarkusProcess.jar(module); // each application's build, or a failure naming the missing jar
        }
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        dir = Files.createTempDirectory(target, "system-test-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-")));
        clients = new Clients(dir.resolve("clients.log"));

        startTheApiServer();
        startTheRegistryOverHttps();
        String operatorUrl = startTheOperator();
        declareTheRegistries();

        // Two builds go to dev; only 1.0 will be promoted.
        OciImage built = OciImage.write(dir.resolve("image-1.0"), "1.0", "hello.txt", "hello " + UUID.randomUUID());
        OciImage unpromoted = OciImage.write(dir.resolve("image-1.1"), "1.1", "hello.txt", "hi " + UUID.randomUUID());
        String digest = pushToDev(skopeo, built);
        assertThat(digest).as("skopeo pushed the layout's manifest unchanged").isEqualTo(built.manifestDigest());
        String unpromotedDigest = pushToDev(skopeo, unpromoted);

        Secret pullSecret = declareTheQaEnvironment();
        promote(digest);

        Path webhookCaBundle = dir.resolve("webhook-ca-bundle.crt");
        String webhookUrl = startTheWebhook(webhookCaBundle);
        admissionReviews(webhookUrl, webhookCaBundle, digest, unpromotedDigest);
        containerdPulls(containerd, ctr, pullSecret, built);

        System.out.println("SystemTest: operator " + operatorUrl + ", webhook " + webhookUrl + ", registry "
                + registry.url() + " — all checks passed");
    }

    /**
     * Step 1: the Fabric8 mock API server in this JVM with Gantry's CRDs, the namespaces (shop-qa labelled for the qa
     * Environment, with the {@code default} ServiceAccount that a real cluster's controller would create) and the
     * ValidatingWebhookConfiguration from deploy/ (without caBundle: the operator fills it).
     */
    private void startTheApiServer() throws Exception {
        // The mock logs every request it answers: into the run's directory, not the build's output.
        FileHandler requests = new FileHandler(dir.resolve("api-server.log").toString());
        requests.setFormatter(new SimpleFormatter());
        MOCK_LOG.addHandler(requests);
        MOCK_LOG.setUseParentHandlers(false);
        started.push(() -> {
            MOCK_LOG.removeHandler(requests);
            MOCK_LOG.setUseParentHandlers(true);
            requests.close();
        });
        api = MockApiServer.start(0);
        started.push(api);
        kube = api.client();
        try (var crds = Files.list(Manifests.root().resolve("crds"))) {
            for (Path crd : crds.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                api.createCustomResourceDefinition(crd);
            }
        }
        namespace(SYSTEM_NAMESPACE, null);
        namespace(QA_NAMESPACE, "qa");
        namespace(PROD_NAMESPACE, null);
        kube.serviceAccounts().inNamespace(QA_NAMESPACE).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("default").withNamespace(QA_NAMESPACE).endMetadata().build()).create();
        try (var in = Files.newInputStream(Manifests.root()
                .resolve("deploy/base/webhook/validatingwebhookconfiguration.yaml"))) {
            kube.admissionRegistration().v1().validatingWebhookConfigurations().load(in).create();
        }
    }

    private void namespace(String name, String stage) {
        var namespace = new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/metadata.name", name).endMetadata().build();
        if (stage != null) {
            namespace.getMetadata().getLabels().put("gantry.dev/stage", stage);
        }
        kube.namespaces().resource(namespace).create();
    }

    /** Step 2: the registry server, HTTPS only (an openssl CA; the certificate names 127.0.0.1), access control on. */
    private void startTheRegistryOverHttps() throws Exception {
        Certificates.Authority ca = Certificates.authority(dir, "registry-tls", List.of("localhost", "IP:127.0.0.1"));
        // What a client is given to trust: the CA's certificate alone (skopeo's --dest-cert-dir reads every *.crt).
        Path trust = Files.createDirectories(dir.resolve("registry-ca"));
        registryCa = Files.copy(ca.caCert(), trust.resolve("ca.crt"));
        registry = RegistryServer.startHttps(dir, ca);
        started.push(registry);
        assertThat(registry.as("nobody", "wrong", "/v2/").statusCode()).as("access control is on").isEqualTo(401);
    }

    /**
     * Step 3: the operator, as deploy/base/operator runs it (password and CA as files), against the mock API server and
     * the registry over HTTPS, with resyncs short enough for a test. It issues the webhook's serving certificate and
     * mints the webhook's registry credential at once.
     */
    private String startTheOperator() throws Exception {
        Path password = dir.resolve("admin-password");
        Files.writeString(password, RegistryServer.ADMIN_PASSWORD);
        int port = QuarkusProcess.freePort();
        QuarkusProcess operator = againstTheMockApiServer(QuarkusProcess.of("operator", dir.resolve("operator.log")))
                .env("QUARKUS_HTTP_HOST", "127.0.0.1")
                .env("QUARKUS_HTTP_PORT", Integer.toString(port))
                .env("POD_NAMESPACE", SYSTEM_NAMESPACE)
                .env("GANTRY_OPERATOR_REGISTRY_URL", registry.url())
                .env("GANTRY_OPERATOR_REGISTRY_USERNAME", "admin")
                .env("GANTRY_OPERATOR_REGISTRY_PASSWORD_FILE", password.toString())
                .env("GANTRY_OPERATOR_REGISTRY_CA_FILE", registryCa.toString())
                // The name containerd pulls by, written into the pull Secrets.
                .env("GANTRY_OPERATOR_REGISTRY_HOSTS", registry.hostPort())
                .env("GANTRY_OPERATOR_REGISTRY_RESYNC", "2s")
                .env("GANTRY_OPERATOR_REFUSED_RETRY", "2s")
                .env("GANTRY_OPERATOR_ENVIRONMENT_RESYNC", "10s")
                .env("GANTRY_OPERATOR_RETRY_INITIAL_INTERVAL", "300ms")
                .env("GANTRY_OPERATOR_RETRY_MAX_INTERVAL", "2s")
                // Mock fault: Java Operator SDK asks a SelfSubjectRulesReview before it takes the Lease, and the
                // mock refuses the review (422); MockApiServer takes no expectations to answer it (the operator's own
                // tests do, in MockApiServerSetup). One replica needs no Lease: reconcile at once.
                .env("GANTRY_OPERATOR_LEADER_ELECTION_ENABLED", "false");
        started.push(operator);
        operator.start();
        String url = "http://127.0.0.1:" + port;
        operator.awaitReady(HttpClient.newHttpClient(), URI.create(url + "/q/health/ready"), WAIT);
        return url;
    }

    /** Step 4: Registries dev (CI pushes), qa (from dev) and prod (from qa) as resources; the operator makes them. */
    private void declareTheRegistries() {
        for (String yaml : List.of("""
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata: {name: dev}
                spec: {type: Local, allowPush: true}
                """, """
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata: {name: qa}
                spec: {type: Local, allowPush: false, promotionSources: [dev]}
                """, """
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata: {name: prod}
                spec: {type: Local, allowPush: false, promotionSources: [qa], immutableTags: true}
                """)) {
            kube.resources(Registry.class).resource(parse(yaml, Registry.class)).create();
        }
        for (String name : List.of("dev", "qa", "prod")) {
            await("Registry " + name + " Ready").atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Registry resource = kube.resources(Registry.class).withName(name).get();
                assertThat(resource.getStatus()).isNotNull();
                assertThat(ready(resource.getStatus().getConditions())).isEqualTo("True");
            });
        }
        // The registry server holds them as declared: prod receives from qa (not from staging, its default).
        await().atMost(WAIT).untilAsserted(() -> assertThat(registry.adminJson("/api/v1/registries/prod")
                .path("spec").path("promotionSources").toString()).isEqualTo("[\"qa\"]"));
    }

    /**
     * Step 5: CI pushes with skopeo from an OCI layout to dev, verifying the registry against its CA and
     * authenticating; returns the digest skopeo pushed.
     */
    private String pushToDev(String skopeo, OciImage image) throws Exception {
        Path digestFile = dir.resolve("pushed-" + image.tag() + ".digest");
        clients.ok(Duration.ofSeconds(60), List.of(skopeo, "--insecure-policy", "copy", "--preserve-digests",
                "--digestfile", digestFile.toString(), "--dest-cert-dir", registryCa.getParent().toString(),
                "--dest-creds", "admin:" + RegistryServer.ADMIN_PASSWORD, image.ociReference(),
                "docker://" + registry.hostPort() + "/dev/" + REPOSITORY + ":" + image.tag()));
        return Files.readString(digestFile).trim();
    }

    /**
     * Step 6: the Environment qa selects the labelled namespace shop-qa; the operator mints a pull-only robot for it
     * and writes the dockerconfigjson Secret gantry-pull there, named on the default ServiceAccount.
     */
    private Secret declareTheQaEnvironment() {
        kube.resources(Environment.class).resource(parse("""
                apiVersion: gantry.dev/v1alpha1
                kind: Environment
                metadata: {name: qa}
                spec:
                  registry: qa
                  namespaceSelector:
                    matchLabels: {gantry.dev/stage: qa}
                """, Environment.class)).create();
        Secret secret = await("Secret gantry-pull in " + QA_NAMESPACE).atMost(WAIT)
                .until(() -> kube.secrets().inNamespace(QA_NAMESPACE).withName("gantry-pull").get(), Objects::nonNull);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        await("the default ServiceAccount names gantry-pull").atMost(WAIT).untilAsserted(() -> {
            ServiceAccount account = kube.serviceAccounts().inNamespace(QA_NAMESPACE).withName("default").get();
            assertThat(account.getImagePullSecrets()).extracting(LocalObjectReference::getName)
                    .contains("gantry-pull");
        });
        await("Environment qa Ready").atMost(WAIT).untilAsserted(() -> {
            Environment qa = kube.resources(Environment.class).withName("qa").get();
            assertThat(qa.getStatus()).isNotNull();
            assertThat(qa.getStatus().getNamespaces()).containsExactly(QA_NAMESPACE);
            assertThat(ready(qa.getStatus().getConditions())).isEqualTo("True");
        });
        return secret;
    }

    /** Step 7: Promotions dev → qa by tag, then qa → prod by digest; both Succeeded with the pushed digest. */
    private void promote(String digest) throws Exception {
        kube.resources(Promotion.class).inNamespace(QA_NAMESPACE).resource(parse("""
                apiVersion: gantry.dev/v1alpha1
                kind: Promotion
                metadata: {name: app-1.0-to-qa, namespace: %s}
                spec: {repository: %s, from: dev, to: qa, tag: "1.0"}
                """.formatted(QA_NAMESPACE, REPOSITORY), Promotion.class)).create();
        PromotionStatus toQa = awaitFinished(QA_NAMESPACE, "app-1.0-to-qa");
        assertThat(toQa.getPhase()).as("%s", toQa.getMessage()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(toQa.getDigest()).isEqualTo(digest);
        assertThat(toQa.getPromotedAt()).isNotBlank();

        kube.resources(Promotion.class).inNamespace(PROD_NAMESPACE).resource(parse("""
                apiVersion: gantry.dev/v1alpha1
                kind: Promotion
                metadata: {name: app-1.0-to-prod, namespace: %s}
                spec: {repository: %s, from: qa, to: prod, digest: "%s", targetTags: ["1.0"]}
                """.formatted(PROD_NAMESPACE, REPOSITORY, digest), Promotion.class)).create();
        PromotionStatus toProd = awaitFinished(PROD_NAMESPACE, "app-1.0-to-prod");
        assertThat(toProd.getPhase()).as("%s", toProd.getMessage()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(toProd.getDigest()).isEqualTo(digest);

        // The registry's record of the digest's path, one record per Promotion (its id is the resource's UID).
        List<String> path = new ArrayList<>();
        for (JsonNode record : registry.adminJson("/api/v1/promotions?digest=" + digest)) {
            path.add(record.path("from").asText() + " -> " + record.path("to").asText() + " " + record.path("id")
                    .asText());
        }
        assertThat(path).containsExactlyInAnyOrder("dev -> qa " + uid(QA_NAMESPACE, "app-1.0-to-qa"),
                "qa -> prod " + uid(PROD_NAMESPACE, "app-1.0-to-prod"));
    }

    private String uid(String namespace, String name) {
        return kube.resources(Promotion.class).inNamespace(namespace).withName(name).get().getMetadata().getUid();
    }

    private PromotionStatus awaitFinished(String namespace, String name) {
        return await("Promotion " + namespace + "/" + name).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Promotion promotion = kube.resources(Promotion.class).inNamespace(namespace).withName(name).get();
                    return promotion.getStatus();
                }, status -> status != null && status.getPhase() != null && status.getPhase().isFinal());
    }

    /**
     * Step 8: the webhook, as deploy/base/webhook runs it: its serving certificate is the Secret gantry-webhook-tls the
     * operator issued (files written as the kubelet mounts them, named by deploy's webhook.properties), its registry
     * credential the Secret gantry-webhook-registry the operator minted. Trust is the caBundle the operator put in the
     * ValidatingWebhookConfiguration, checked against the Service's name, as kube-apiserver checks it.
     */
    private String startTheWebhook(Path caBundleFile) throws Exception {
        Secret tls = await("Secret gantry-webhook-tls").atMost(WAIT).until(() -> kube.secrets()
                .inNamespace(SYSTEM_NAMESPACE).withName("gantry-webhook-tls").get(), Objects::nonNull);
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        X509Certificate serving = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(data(tls, "tls.crt")));
        assertThat(ServiceTrust.dnsNames(serving)).contains(WEBHOOK_SERVICE);
        byte[] caBundle = await("the caBundle of ValidatingWebhookConfiguration gantry-webhook").atMost(WAIT)
                .until(() -> {
                    ValidatingWebhookConfiguration configuration = kube.admissionRegistration().v1()
                            .validatingWebhookConfigurations().withName("gantry-webhook").get();
                    String bundle = configuration.getWebhooks().get(0).getClientConfig().getCaBundle();
                    return bundle == null ? null : Base64.getDecoder().decode(bundle);
                }, Objects::nonNull);
        assertThat(new String(caBundle, StandardCharsets.US_ASCII)).as("the caBundle trusts the Secret's CA")
                .contains(new String(data(tls, "ca.crt"), StandardCharsets.US_ASCII).trim());
        Files.write(caBundleFile, caBundle);

        Path mounted = Files.createDirectories(dir.resolve("webhook-tls"));
        Files.write(mounted.resolve("tls.crt"), data(tls, "tls.crt"));
        Files.write(mounted.resolve("tls.key"), data(tls, "tls.key"));
        Path config = dir.resolve("webhook.properties");
        Files.writeString(config, Files.readString(Manifests.root().resolve("deploy/base/webhook/webhook.properties"))
                .replace("/etc/gantry/webhook-tls/", mounted + "/"));

        Secret credential = await("Secret gantry-webhook-registry").atMost(WAIT).until(() -> kube.secrets()
                .inNamespace(SYSTEM_NAMESPACE).withName("gantry-webhook-registry").get(), Objects::nonNull);
        assertThat(new String(data(credential, "username"), StandardCharsets.UTF_8)).isEqualTo("gantry-webhook");
        Path password = Files.createDirectories(dir.resolve("webhook-registry-credentials")).resolve("password");
        Files.write(password, data(credential, "password"));

        int port = QuarkusProcess.freePort();
        QuarkusProcess webhook = againstTheMockApiServer(QuarkusProcess.of("webhook", dir.resolve("webhook.log")))
                .env("QUARKUS_CONFIG_LOCATIONS", config.toString())
                .env("QUARKUS_HTTP_HOST", "127.0.0.1")
                .env("QUARKUS_HTTP_SSL_PORT", Integer.toString(port))
                .env("QUARKUS_HTTP_PORT", Integer.toString(QuarkusProcess.freePort())) // off: HTTPS only
                .env("GANTRY_WEBHOOK_REGISTRY_HOSTS", registry.hostPort())
                .env("GANTRY_WEBHOOK_REGISTRY_URL", registry.url())
                .env("GANTRY_WEBHOOK_REGISTRY_USERNAME", new String(data(credential, "username"),
                        StandardCharsets.UTF_8))
                .env("GANTRY_WEBHOOK_REGISTRY_PASSWORD_FILE", password.toString())
                .env("GANTRY_WEBHOOK_REGISTRY_CA_FILE", registryCa.toString());
        started.push(webhook);
        webhook.start();
        String url = "https://127.0.0.1:" + port;
        webhook.awaitReady(apiServerToWebhook(caBundleFile), URI.create(url + "/q/health/ready"), WAIT);
        return url;
    }

    /**
     * Step 9: AdmissionReviews for a pod in shop-qa, as kube-apiserver sends them: the digest promoted to qa is
     * allowed; the same digest from dev, a tag, and a digest that was pushed to dev but never promoted are denied,
     * each with the webhook's exact message.
     */
    private void admissionReviews(String webhookUrl, Path caBundle, String digest, String unpromotedDigest)
            throws Exception {
        HttpClient apiServer = apiServerToWebhook(caBundle);
        String host = registry.hostPort();

        JsonNode allowed = review(apiServer, webhookUrl, host + "/qa/team/app@" + digest);
        assertThat(allowed.path("allowed").asBoolean()).as("%s", allowed).isTrue();

        String fromDev = host + "/dev/team/app@" + digest;
        assertDenied(review(apiServer, webhookUrl, fromDev), "container \"app\": image \"" + fromDev + "\" comes from "
                + "registry \"dev\", but namespace \"shop-qa\" belongs to environment \"qa\", which runs images from "
                + "registry \"qa\" only");

        String tagged = host + "/qa/team/app:1.0";
        assertDenied(review(apiServer, webhookUrl, tagged), "container \"app\": image \"" + tagged + "\" is not "
                + "pinned by digest; use " + host + "/qa/team/app@sha256:<digest>");

        String neverPromoted = host + "/qa/team/app@" + unpromotedDigest;
        assertDenied(review(apiServer, webhookUrl, neverPromoted), "container \"app\": image \"" + neverPromoted
                + "\" was never promoted to registry \"qa\": it does not hold team/app@" + unpromotedDigest);
    }

    private static void assertDenied(JsonNode response, String message) {
        assertThat(response.path("allowed").asBoolean()).as("%s", response).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(response.path("status").path("message").asText()).isEqualTo(message);
    }

    /** POST /validate with a Pod CREATE review; returns the review's {@code response}. */
    private static JsonNode review(HttpClient apiServer, String webhookUrl, String image) throws Exception {
        String uid = UUID.randomUUID().toString();
        String body = """
                {
                  "kind": "AdmissionReview",
                  "apiVersion": "admission.k8s.io/v1",
                  "request": {
                    "uid": "%1$s",
                    "kind": {"group": "", "version": "v1", "kind": "Pod"},
                    "resource": {"group": "", "version": "v1", "resource": "pods"},
                    "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
                    "requestResource": {"group": "", "version": "v1", "resource": "pods"},
                    "name": "app",
                    "namespace": "%2$s",
                    "operation": "CREATE",
                    "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                      "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
                    "object": {
                      "kind": "Pod",
                      "apiVersion": "v1",
                      "metadata": {"name": "app", "namespace": "%2$s", "labels": {"app": "shop"}},
                      "spec": {
                        "containers": [{"name": "app", "image": "%3$s", "resources": {},
                          "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                          "imagePullPolicy": "IfNotPresent"}],
                        "restartPolicy": "Always",
                        "serviceAccountName": "default",
                        "imagePullSecrets": [{"name": "gantry-pull"}]
                      },
                      "status": {"phase": "Pending"}
                    },
                    "oldObject": null,
                    "dryRun": false,
                    "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
                  }
                }
                """.formatted(uid, QA_NAMESPACE, image);
        HttpResponse<String> answer = apiServer.send(HttpRequest.newBuilder(URI.create(webhookUrl
                + "/validate?timeout=5s")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode review = JSON.readTree(answer.body());
        assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(review.path("response").path("uid").asText()).isEqualTo(uid);
        return review.path("response");
    }

    /**
     * Step 10: a private containerd pulls the qa image by digest with the credential from the pull Secret in shop-qa,
     * trusting the registry's CA through a hosts directory as a node does; the same credential is refused prod.
     */
    private void containerdPulls(String containerdBinary, String ctr, Secret pullSecret, OciImage image)
            throws Exception {
        String host = registry.hostPort();
        JsonNode auth = JSON.readTree(data(pullSecret, ".dockerconfigjson")).path("auths").path(host);
        assertThat(auth.isObject()).as("the pull Secret has an entry for %s", host).isTrue();
        String credential = auth.path("username").asText() + ":" + auth.path("password").asText();
        assertThat(new String(Base64.getDecoder().decode(auth.path("auth").asText()), StandardCharsets.UTF_8))
                .isEqualTo(credential);

        Path hosts = Files.createDirectories(dir.resolve("containerd-hosts").resolve(host));
        // The registry itself and the CA to trust for it. containerd 1.6 needs a [host] table (without one it ignores
        // the file) and still tries the top-level server last (by default over plain HTTP for a loopback address), so
        // both name the registry over HTTPS with the CA: every attempt is verified.
        Files.writeString(hosts.resolve("hosts.toml"), """
                server = "https://%1$s"
                ca = "%2$s"

                [host."https://%1$s"]
                  capabilities = ["pull", "resolve"]
                  ca = "%2$s"
                """.formatted(host, registryCa));
        PrivateContainerd containerd = PrivateContainerd.start(clients, containerdBinary, ctr,
                dir.resolve("containerd.log"));
        started.push(containerd);
        String hostsDir = hosts.getParent().toString();

        // The refusal first, so nothing of the image is in containerd's content store yet.
        String prod = host + "/prod/team/app@" + image.manifestDigest();
        Clients.Result refused = containerd.ctr("images", "pull", "--hosts-dir", hostsDir, "--user", credential, prod);
        assertThat(refused.succeeded()).as(refused.describe()).isFalse();
        assertThat(refused.output()).as("refused by the registry, over trusted TLS\n%s", refused.describe())
                .contains("403 Forbidden").doesNotContain("x509", "http://");

        String qa = host + "/qa/team/app@" + image.manifestDigest();
        Clients.Result pulled = containerd.ctr("images", "pull", "--hosts-dir", hostsDir, "--user", credential, qa);
        assertThat(pulled.succeeded()).as(pulled.describe()).isTrue();
        assertThat(pulled.output()).as(pulled.describe()).doesNotContain("x509", "http://").contains("unpacking");
        assertThat(containerd.imageDigest(qa)).isEqualTo(image.manifestDigest());
        Clients.Result content = containerd.ctr("content", "ls", "-q");
        assertThat(content.output().split("\\s+")).contains(image.manifestDigest(), image.configDigest(),
                image.layerDigest());
    }

    /**
     * Points an application's Kubernetes client at the mock, through the Fabric8 client's own variables (as in a pod,
     * where it finds the API server by the in-cluster variables): {@code QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL}
     * works too, but Quarkus warns that it is fixed at build time. No kubeconfig or service-account token of this
     * machine is read.
     */
    private QuarkusProcess againstTheMockApiServer(QuarkusProcess process) {
        return process.env("KUBERNETES_MASTER", api.url())
                .env("KUBERNETES_NAMESPACE", SYSTEM_NAMESPACE)
                .property("kubernetes.auth.tryKubeConfig", "false")
                .property("kubernetes.auth.tryServiceAccount", "false");
    }

    /** An HTTP client that trusts the webhook as kube-apiserver does: the caBundle, the Service's name. */
    private static HttpClient apiServerToWebhook(Path caBundle) throws Exception {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(ServiceTrust.of(Files.readAllBytes(caBundle), WEBHOOK_SERVICE)).build();
    }

    private <T extends HasMetadata> T parse(String yaml, Class<T> type) {
        return kube.getKubernetesSerialization().unmarshal(yaml, type);
    }

    private static String ready(List<Condition> conditions) {
        return conditions.stream().filter(c -> "Ready".equals(c.getType())).map(Condition::getStatus).findFirst()
                .orElse(null);
    }

    private static byte[] data(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        assertThat(value).as("Secret %s has %s", secret.getMetadata().getName(), key).isNotNull();
        return Base64.getDecoder().decode(value);
    }
}
