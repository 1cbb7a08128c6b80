package dev.gantry.operator;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.function.Consumer;

/**
 * The one answer the Fabric8 CRUD mock cannot give: Java Operator SDK asks the API server (SelfSubjectRulesReview)
 * whether it may create and update Leases before electing a leader, and the mock refuses the review itself (422).
 * Here it answers as a real API server would for the operator's ClusterRole in deploy/; the Lease is then created,
 * renewed and read through the mock's ordinary CRUD.
 */
public class MockApiServerSetup implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "list", "watch", "create", "update", "patch").endResourceRule()
                        .endStatus().build())
                .always();
    }
}
