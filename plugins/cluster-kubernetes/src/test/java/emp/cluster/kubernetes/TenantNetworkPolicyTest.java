package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each user's namespace is fenced: its pods talk to their own namespace, EMP's namespace and DNS only. */
class TenantNetworkPolicyTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");

    @TempDir
    Path dir;

    @Test
    void withIngressOnlyTheOwnNamespaceEmpsAndTheIngressControllersReachThePods() {
        AppObjects objects = new AppObjects(Managers.config(
                Map.of("exposure", "Ingress", "ingress-namespace", "ingress-nginx", "emp-namespace", "emp-system")));

        NetworkPolicy policy = ModelChecks.roundTrip(objects.networkPolicy(objects.names(SONGS)));

        assertThat(policy.getMetadata().getNamespace()).isEqualTo("emp-alice");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEmpty();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress())
                .allSatisfy(rule -> assertThat(rule.getFrom())
                        .as("no rule open to any source")
                        .isNotEmpty());
        assertThat(sources(policy.getSpec().getIngress()))
                .containsExactlyInAnyOrder("own namespace", "emp-system", "ingress-nginx");
        assertThat(policy.getSpec().getEgress()).hasSize(3);
        assertThat(policy.getSpec().getEgress().get(0).getTo().get(0).getPodSelector())
                .isNotNull();
        assertThat(policy.getSpec()
                        .getEgress()
                        .get(1)
                        .getTo()
                        .get(0)
                        .getNamespaceSelector()
                        .getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "emp-system"));
        assertThat(policy.getSpec().getEgress().get(2).getTo())
                .as("DNS, wherever the resolver is")
                .isEmpty();
        assertThat(policy.getSpec().getEgress().get(2).getPorts())
                .extracting(port -> port.getProtocol() + "/" + port.getPort().getIntVal())
                .containsExactly("UDP/53", "TCP/53");
    }

    @Test
    void withALoadBalancerOnlyTheAppsPortIsOpenToOtherSources() {
        AppObjects objects = new AppObjects(Managers.config(Map.of()));

        NetworkPolicy policy = objects.networkPolicy(objects.names(SONGS));

        assertThat(policy.getSpec().getIngress())
                .filteredOn(rule -> rule.getFrom().isEmpty())
                .singleElement()
                .satisfies(rule -> assertThat(rule.getPorts())
                        .singleElement()
                        .satisfies(
                                port -> assertThat(port.getPort().getStrVal()).isEqualTo("http")));
    }

    @Test
    void theManagerFencesEachNamespaceItMakesUnlessTurnedOff() {
        try (MockCluster cluster = MockCluster.crud()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            KubernetesClusterManager open =
                    Managers.manager(cluster, dir.resolve("open"), Map.of("network-policy", "false"));
            manager.start();
            open.start();
            try {
                manager.deploy(new AppDeployment(SONGS, Managers.web("songs"), 1, Map.of()));
                open.deploy(new AppDeployment(new AppRef("bob", "songs"), Managers.web("songs"), 1, Map.of()));

                NetworkPolicy written = cluster.client()
                        .network()
                        .v1()
                        .networkPolicies()
                        .inNamespace("emp-alice")
                        .withName("emp-tenant")
                        .get();
                assertThat(written).isNotNull();
                assertThat(written.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.EMP);
                assertThat(cluster.client()
                                .network()
                                .v1()
                                .networkPolicies()
                                .inNamespace("emp-bob")
                                .list()
                                .getItems())
                        .isEmpty();
            } finally {
                manager.close();
                open.close();
            }
        }
    }

    private static List<String> sources(List<NetworkPolicyIngressRule> rules) {
        return rules.stream()
                .flatMap(rule -> rule.getFrom().stream())
                .map(TenantNetworkPolicyTest::source)
                .filter(Objects::nonNull)
                .toList();
    }

    private static String source(NetworkPolicyPeer peer) {
        if (peer.getNamespaceSelector() != null) {
            return peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
        }
        return peer.getPodSelector() != null ? "own namespace" : null;
    }
}
