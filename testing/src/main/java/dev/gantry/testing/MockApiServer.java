package dev.gantry.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The Fabric8 mock API server in CRUD mode (objects are stored, listed and watched), on 127.0.0.1 over plain HTTP: the
 * only Kubernetes API these machines have, for running the operator and the webhook as processes (point their
 * kubernetes-client at {@link #url()}, e.g. {@code QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL}).
 *
 * <p>What it is not (see shared/README.md): it has no discovery ({@code /api}, {@code /apis} are empty, so kubectl
 * cannot use it), no server-side apply or strategic merge patch (415), JSON merge patch appends to arrays, {@code in}
 * / {@code notin} label selectors are ignored, and no admission webhooks, schema validation or garbage collection
 * run. Custom resources are stored without a CRD; creating one ({@link #createCustomResourceDefinition}) tells the
 * mock their scope and whether they have a status subresource.
 *
 * <pre>
 * try (MockApiServer api = MockApiServer.start(0)) { api.client().namespaces()…; }
 * java -cp … dev.gantry.testing.MockApiServer PORT [CRD.yml …]   # prints its URL, runs until killed
 * </pre>
 */
public final class MockApiServer implements AutoCloseable {
    private final KubernetesMockServer server;
    private KubernetesClient client;

    private MockApiServer(KubernetesMockServer server) {
        this.server = server;
    }

    /** Starts a CRUD mock on 127.0.0.1:{@code port} (0: a free port). */
    public static MockApiServer start(int port) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new MockApiServer(server);
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getPort();
    }

    /** A client of this server (default namespace {@code test}, the mock's); closed with the server. */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = server.createClient();
        }
        return client;
    }

    /** Creates the CustomResourceDefinition(s) in a YAML or JSON file (one document per CRD). */
    public List<CustomResourceDefinition> createCustomResourceDefinition(Path file) {
        List<CustomResourceDefinition> created = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            client().load(in).items().forEach(item -> {
                if (!(item instanceof CustomResourceDefinition crd)) {
                    throw new IllegalArgumentException(file + " holds a " + item.getKind() + ", not a "
                            + "CustomResourceDefinition");
                }
                created.add(client().apiextensions().v1().customResourceDefinitions().resource(crd).create());
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return created;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        server.destroy();
    }

    /**
     * {@code MockApiServer PORT [CRD-FILE …]}: starts the mock (PORT 0: a free one), creates the CRDs, prints its URL
     * as the only line on standard output once it serves, and runs until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || !args[0].matches("\\d+")) {
            System.err.println("usage: MockApiServer PORT [CRD-FILE ...]   (PORT 0: a free port)");
            System.exit(2);
        }
        MockApiServer api = start(Integer.parseInt(args[0]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            stopped.countDown();
        }, "mock-api-server-shutdown"));
        for (int i = 1; i < args.length; i++) {
            for (CustomResourceDefinition crd : api.createCustomResourceDefinition(Path.of(args[i]))) {
                System.err.println("created CustomResourceDefinition " + crd.getMetadata().getName() + " ("
                        + crd.getSpec().getScope() + ")");
            }
        }
        System.out.println(api.url());
        System.out.flush();
        stopped.await();
    }
}
