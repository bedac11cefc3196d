package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.HealthProbe;
import emp.spi.cluster.AppDeployment;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchPlanTest {
    private static final AppRef APP = new AppRef("alice", "front");
    private static final AppSpec SPEC = new AppSpec(
            "front",
            null,
            null,
            null,
            List.of(new EnvVar("GREETING", "hi"), new EnvVar("MODE", "spec")),
            null,
            List.of("java", "-jar", "front.jar"),
            null,
            null,
            null,
            null,
            null,
            List.of("song-db", "users"),
            null,
            null,
            null);

    @Test
    void environmentLayersSpecThenPlatformThenDependencies() {
        LaunchPlan plan = LaunchPlan.of(
                new AppDeployment(APP, SPEC, 2, Map.of("MODE", "platform", "EMP_SERVICE_NAME", "alice/front")),
                dependency -> URI.create("http://127.0.0.1:8080/alice/" + dependency));

        assertThat(plan.environment())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "GREETING", "hi",
                        "MODE", "platform",
                        "EMP_SERVICE_NAME", "alice/front",
                        "SONG_DB_URL", "http://127.0.0.1:8080/alice/song-db",
                        "USERS_URL", "http://127.0.0.1:8080/alice/users"));
        assertThat(plan.command()).containsExactly("java", "-jar", "front.jar");
        assertThat(plan.healthPath()).isNull();
    }

    @Test
    void fingerprintIgnoresTheReplicaCountAndFollowsEverythingElse() {
        String base = fingerprint(new AppDeployment(APP, SPEC, 1, Map.of()), 8080);

        assertThat(fingerprint(new AppDeployment(APP, SPEC.withReplicas(5), 5, Map.of()), 8080))
                .isEqualTo(base);
        assertThat(fingerprint(
                        new AppDeployment(APP, SPEC.withEnvs(List.of(new EnvVar("GREETING", "ho"))), 1, Map.of()),
                        8080))
                .isNotEqualTo(base);
        assertThat(fingerprint(new AppDeployment(APP, SPEC, 1, Map.of("ZIPKIN_ENDPOINT", "http://x")), 8080))
                .isNotEqualTo(base);
        assertThat(fingerprint(
                        new AppDeployment(APP, withCommand(List.of("java", "-jar", "front2.jar")), 1, Map.of()), 8080))
                .isNotEqualTo(base);
        assertThat(fingerprint(new AppDeployment(APP, withHealth(new HealthProbe("/health")), 1, Map.of()), 8080))
                .isNotEqualTo(base);
        assertThat(fingerprint(new AppDeployment(APP, SPEC, 1, Map.of()), 9090))
                .as("dependency URLs changed")
                .isNotEqualTo(base);
    }

    @Test
    void fingerprintTellsArgumentBoundariesApart() {
        LaunchPlan joined = new LaunchPlan(List.of("a b"), Map.of(), null, ResourceLimits.NONE);
        LaunchPlan split = new LaunchPlan(List.of("a", "b"), Map.of(), null, ResourceLimits.NONE);

        assertThat(joined.fingerprint()).isNotEqualTo(split.fingerprint());
    }

    @Test
    void dependencyVariableIsUpperCaseWithUnderscores() {
        assertThat(AppSpec.dependencyVariable("song-db")).isEqualTo("SONG_DB_URL");
    }

    private static String fingerprint(AppDeployment deployment, int gatewayPort) {
        return LaunchPlan.of(
                        deployment,
                        dependency -> URI.create("http://127.0.0.1:" + gatewayPort + "/alice/" + dependency))
                .fingerprint();
    }

    private static AppSpec withCommand(List<String> command) {
        return new AppSpec(
                SPEC.name(),
                null,
                null,
                null,
                SPEC.envs(),
                null,
                command,
                null,
                null,
                null,
                null,
                null,
                SPEC.dependencies(),
                null,
                null,
                null);
    }

    private static AppSpec withHealth(HealthProbe health) {
        return new AppSpec(
                SPEC.name(),
                null,
                null,
                null,
                SPEC.envs(),
                null,
                SPEC.command(),
                null,
                null,
                null,
                null,
                health,
                SPEC.dependencies(),
                null,
                null,
                null);
    }
}
