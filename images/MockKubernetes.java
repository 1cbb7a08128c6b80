import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * A stand-in Kubernetes API server for images/check.sh: Fabric8's CRUD mock (the one the operator's and webhook's tests
 * use) on plain HTTP at 127.0.0.1:PORT, so the operator and webhook images can start and report ready without a
 * cluster. Run with the operator's test class path: {@code java -cp CP images/MockKubernetes.java PORT}. It serves
 * until killed. See ../shared/README.md for what this mock gets wrong; the check only needs list and watch.
 */
public class MockKubernetes {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        try (var client = server.createClient()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("gantry-system")
                    .endMetadata().build()).create();
        }
        System.out.println("mock Kubernetes API on http://127.0.0.1:" + port);
        Thread.currentThread().join();
    }
}
