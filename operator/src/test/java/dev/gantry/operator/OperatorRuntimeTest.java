package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OperatorRuntimeTest extends OperatorTest {

    @Test
    void theRunningOperatorHoldsTheLeaseAndIsReady() {
        Lease lease = eventually().until(() -> client.leases().inNamespace("gantry-system")
                .withName("gantry-operator").get(), l -> l != null && l.getSpec().getHolderIdentity() != null);
        assertThat(lease.getSpec().getHolderIdentity()).endsWith("-" + ProcessHandle.current().pid());

        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'operator' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'operator' }.data.leader", equalTo(true));
    }

    /**
     * A second replica, configured like the first, waits for the Lease instead of reconciling alongside it; the
     * same replica under a Lease of its own (the control) does reconcile, so the Lease is what holds it back.
     */
    @Test
    void aSecondReplicaDoesNotReconcileWhileTheFirstHoldsTheLease() throws Exception {
        AtomicInteger standbyReconciliations = new AtomicInteger();
        AtomicInteger controlReconciliations = new AtomicInteger();
        var standbyClient = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
        var controlClient = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
        Operator standby = replica(standbyClient, "gantry-operator", standbyReconciliations);
        Operator control = replica(controlClient, unique("another-lease"), controlReconciliations);
        try {
            String name = unique("replicated");
            client.resource(new Registry(name, RegistrySpec.local())).create();
            eventually().until(() -> client.resources(Registry.class).withName(name).get(), r -> r.getStatus() != null
                    && Conditions.isTrue(r.getStatus().getConditions(), Conditions.READY));
            eventually().until(() -> controlReconciliations.get() > 0);
            Thread.sleep(1000);

            assertThat(standbyReconciliations).as("the standby replica reconciled nothing").hasValue(0);
            assertThat(client.leases().inNamespace("gantry-system").withName("gantry-operator").get().getSpec()
                    .getHolderIdentity()).isNotEqualTo("standby-replica");
        } finally {
            standby.stop();
            control.stop();
            standbyClient.close();
            controlClient.close();
        }
    }

    private static Operator replica(io.fabric8.kubernetes.client.KubernetesClient replicaClient, String lease,
            AtomicInteger reconciliations) {
        Operator replica = new Operator(o -> o.withKubernetesClient(replicaClient)
                .withUseSSAToPatchPrimaryResource(false)
                .checkingCRDAndValidateLocalModel(false)
                .withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(lease).withLeaseNamespace("gantry-system")
                        .withIdentity("standby-replica").build()));
        replica.register(new CountingRegistryReconciler(reconciliations));
        replica.start();
        return replica;
    }

    @ControllerConfiguration(name = "standby-registry")
    static class CountingRegistryReconciler implements Reconciler<Registry> {
        private final AtomicInteger count;

        CountingRegistryReconciler(AtomicInteger count) {
            this.count = count;
        }

        @Override
        public UpdateControl<Registry> reconcile(Registry resource, Context<Registry> context) {
            count.incrementAndGet();
            return UpdateControl.noUpdate();
        }
    }
}
