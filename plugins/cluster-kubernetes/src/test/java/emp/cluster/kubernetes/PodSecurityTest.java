package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** App replicas meet the configured Pod Security Standard, and their namespace makes the cluster enforce it. */
class PodSecurityTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");

    @Test
    void byDefaultEveryReplicaPassesTheRestrictedProfile() {
        AppObjects objects = new AppObjects(Managers.config(Map.of()));

        for (boolean stateless : new boolean[] {true, false}) {
            AppDeployment deployment = deployment(stateless);
            PodSpec spec = stateless
                    ? ModelChecks.roundTrip(objects.deployment(deployment))
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                    : ModelChecks.roundTrip(objects.statefulSet(deployment))
                            .getSpec()
                            .getTemplate()
                            .getSpec();
            assertThat(RestrictedProfile.violations(spec))
                    .as("stateless %s", stateless)
                    .isEmpty();
        }
        assertThat(objects.namespace(objects.names(SONGS)).getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    }

    @Test
    void baselineLetsImagesRunAsRootButNotGainPrivileges() {
        AppObjects objects = new AppObjects(Managers.config(Map.of("pod-security", "baseline")));
        PodSpec spec =
                objects.deployment(deployment(true)).getSpec().getTemplate().getSpec();

        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isNull();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation())
                .isFalse();
        assertThat(RestrictedProfile.violations(spec)).anyMatch(problem -> problem.contains("runAsNonRoot"));
        assertThat(objects.namespace(objects.names(SONGS)).getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "baseline");
    }

    @Test
    void noneSetsNothingAndLabelsNothing() {
        AppObjects objects = new AppObjects(Managers.config(Map.of("pod-security", "None")));
        PodSpec spec =
                objects.deployment(deployment(true)).getSpec().getTemplate().getSpec();

        assertThat(spec.getSecurityContext()).isNull();
        assertThat(spec.getContainers().get(0).getSecurityContext()).isNull();
        assertThat(objects.namespace(objects.names(SONGS)).getMetadata().getLabels())
                .doesNotContainKey("pod-security.kubernetes.io/enforce");
    }

    private static AppDeployment deployment(boolean stateless) {
        return new AppDeployment(
                SONGS, stateless ? Managers.web("songs") : Managers.stateful(Managers.web("songs")), 2, Map.of());
    }
}
