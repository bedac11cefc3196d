package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emp.dist.EmpCli.Run;
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code emp} command against the assembled distribution's server with {@code cluster: kubernetes}: the real
 * {@code emp server} in a child process, pointed by a kubeconfig at the fabric8 mock API server that runs in this JVM
 * with {@link StandInController} playing the cluster's controllers and kubelets. Each command's output is checked for
 * what a person would expect, and the objects the mock holds for what the command did to the cluster.
 *
 * <p>Apps are exposed through LoadBalancer Services, to which the stand-in gives {@link StandInController#LOAD_BALANCER_IP};
 * nothing is ever sent there, nor to the pods' addresses: the mock runs no containers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesClusterIT {
    private static final ObjectMapper JSON = Http.JSON;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String APP_URL = "http://" + StandInController.LOAD_BALANCER_IP + "/";
    private static final String WEB_IMAGE = "example.test/web:1";
    private static final String NAME_LABEL = "app.kubernetes.io/name";

    @TempDir
    static Path work;

    private MockCluster cluster;
    private StandInController controller;
    private KubernetesClient kube;
    private ServerProcess server;
    private String api;

    @BeforeAll
    void startClusterAndServer() throws Exception {
        cluster = MockCluster.crud();
        controller = new StandInController(cluster).start();
        kube = cluster.client();
        Path kubeconfig = cluster.kubeconfig(work.resolve("kube"));
        server = ServerProcess.startWithoutGateway(
                "emp",
                work,
                WAIT,
                "--cluster",
                "kubernetes",
                "--set",
                "cluster.kubernetes.kubeconfig=" + kubeconfig,
                "--set",
                "cluster.kubernetes.exposure=LoadBalancer",
                "--set",
                "cluster.kubernetes.sync-timeout=20s",
                // several users share this server; sign-up by invite has tests of its own
                "--set",
                "accounts.signup=open");
        api = server.api();
        assertThat(Files.readString(serverLog()))
                .as("the server says which cluster it manages")
                .contains("Kubernetes cluster at " + cluster.url());
    }

    @AfterAll
    void stopServerAndCluster() throws Exception {
        try {
            if (server != null) {
                server.stop();
            }
            if (server != null && Files.exists(serverLog())) {
                // The temporary folder goes with the test; the server's log stays for whoever reads the reports.
                Path reports = Files.createDirectories(Path.of("target", "failsafe-reports"));
                Files.copy(
                        serverLog(),
                        reports.resolve("KubernetesClusterIT-server.log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            if (controller != null) {
                controller.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aUsersWholeSessionRunsOnKubernetes() throws Exception {
        Path alice = Files.createDirectories(work.resolve("alice"));

        Run created =
                emp(alice, "create-account", "--server", api, "--username", "alice", "--password", "correct horse");
        assertThat(created.out()).contains("Account 'alice' created on " + api);
        Run login = emp(alice, "login", "--server", api, "--username", "alice", "--password", "correct horse");
        assertThat(login.out()).contains("Logged in to " + api + " as 'alice'");
        assertThat(emp(alice, "list").out()).contains("No apps yet");

        // deploy: a web app that calls a backend, both in one file, with every field Kubernetes maps
        Path spec = work.resolve("stack.json");
        Files.writeString(spec, """
                [
                  {"name": "backend", "docker_image": "example.test/backend:1", "port": 9090, "replicas": 1},
                  {"name": "web", "docker_image": "%s", "port": 8080, "replicas": 2,
                   "envs": [{"name": "GREETING", "value": "hello"}],
                   "resources": {"cpu": "250m", "memory": "256Mi"},
                   "health": {"path": "/health"},
                   "dependencies": ["backend"],
                   "quality_metrics": [{"metric": "latency_p95_ms", "values": "200"}]}
                ]
                """.formatted(WEB_IMAGE));
        Run deploy = emp(alice, "deploy", spec.toString());
        assertThat(deploy.out())
                .contains("backend deployed: 1/1 ready at " + APP_URL)
                .contains("web deployed: 2/2 ready at " + APP_URL);
        assertThat(cluster.pluginRequests())
                .as("the server's cluster-kubernetes plugin wrote to the mock API server")
                .isNotEmpty();

        Deployment web = deployment("emp-alice", "web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(2);
        Container container =
                web.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(WEB_IMAGE);
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        assertThat(env(container))
                .containsEntry("GREETING", "hello")
                .containsEntry("BACKEND_URL", "http://backend.emp-alice.svc.cluster.local:80")
                .containsEntry("PORT", "8080");
        assertThat(container.getResources().getLimits())
                .hasEntrySatisfying("cpu", cpu -> assertThat(cpu.toString()).isEqualTo("250m"))
                .hasEntrySatisfying(
                        "memory", memory -> assertThat(memory.toString()).isEqualTo("256Mi"));
        assertThat(container.getResources().getRequests())
                .isEqualTo(container.getResources().getLimits());
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(deployment("emp-alice", "backend").getSpec().getReplicas()).isEqualTo(1);
        Service service =
                kube.services().inNamespace("emp-alice").withName("web").get();
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(80);

        // list
        String list = emp(alice, "list").out();
        assertThat(EmpCli.row(list, "web")).contains("running", "2/2", APP_URL);
        assertThat(EmpCli.row(list, "backend")).contains("running", "1/1", APP_URL);

        // info: the ready replicas are the pods the stand-in runs, at their pods' addresses
        List<Pod> webPods = awaitPods("emp-alice", "web", 2);
        String info = emp(alice, "info", "web").out();
        assertThat(EmpCli.squeezed(info))
                .contains("Owner: alice")
                .contains("State: running")
                .contains("Ready: 2/2 replicas")
                .contains("URL: " + APP_URL)
                .contains("Image: " + WEB_IMAGE)
                .contains("Targets: latency_p95_ms=200")
                .contains("Calls: backend");
        for (Pod pod : webPods) {
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(EmpCli.row(info, pod.getMetadata().getName()))
                    .as("the pod as a ready instance at its address")
                    .contains("ready", "http://" + pod.getStatus().getPodIP() + ":8080");
        }
        JsonNode infoJson =
                JSON.readTree(emp(alice, "info", "web", "-o", "json").out());
        assertThat(EmpCli.ids(infoJson.get("instances"))).containsExactlyInAnyOrderElementsOf(podNames(webPods));

        // scale
        Run scale = emp(alice, "scale", "web", "3");
        assertThat(scale.out()).contains("web scaled to 3 replicas");
        await().atMost(WAIT)
                .until(() -> deployment("emp-alice", "web").getSpec().getReplicas() == 3);
        awaitReady(alice, "web", 3);
        List<String> scaledPods = podNames(awaitPods("emp-alice", "web", 3));
        assertThat(scaledPods).containsAll(podNames(webPods));

        // update-metrics: a new target, and the replicas keep running
        Run metrics = emp(alice, "update-metrics", "web", "latency_p95_ms", "150");
        assertThat(metrics.out()).contains("web: latency_p95_ms target set to 150.");
        assertThat(EmpCli.squeezed(emp(alice, "info", "web").out())).contains("Targets: latency_p95_ms=150");
        assertThat(deployment("emp-alice", "web").getSpec().getReplicas()).isEqualTo(3);
        assertThat(podNames(pods("emp-alice", "web"))).containsExactlyInAnyOrderElementsOf(scaledPods);

        // tracing: no traffic went to the app, and the command says so
        assertThat(emp(alice, "tracing", "web").out()).contains("web: 0 requests in the last");

        // events
        String events = emp(alice, "events", "web").out();
        assertThat(events)
                .contains("deployed 'web' with 2 replicas")
                .contains("scaled web 2 -> 3 by alice")
                .contains("quality metric latency_p95_ms set to 150 (was 200)");
        for (String pod : scaledPods) {
            assertThat(events).contains("replica " + pod + " is ready at http://");
        }

        // logs: what each pod's log holds, after its pod's name
        String logs = emp(alice, "logs", "web").out();
        for (String pod : scaledPods) {
            assertThat(logs).contains(pod + " | starting " + WEB_IMAGE).contains(pod + " | listening on port 8080");
        }
        assertThat(emp(alice, "logs", "web", "--tail", "1").out().lines())
                .as("one line of each of the 3 replicas")
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).endsWith("| listening on port 8080"));

        // stop: the Deployment goes to zero replicas and remembers how many it had
        Run stop = emp(alice, "stop", "web");
        assertThat(stop.out()).contains("web stopped.");
        await().atMost(WAIT)
                .until(() -> deployment("emp-alice", "web").getSpec().getReplicas() == 0);
        assertThat(deployment("emp-alice", "web").getMetadata().getAnnotations())
                .containsEntry("emp.io/replicas-before-stop", "3");
        await().atMost(WAIT).until(() -> pods("emp-alice", "web").isEmpty());
        await().atMost(WAIT).until(() -> emp(alice, "info", "web").out().contains("No instances running."));
        String stopped = EmpCli.squeezed(emp(alice, "info", "web").out());
        assertThat(stopped).contains("State: stopped").contains("Ready: 0/0 replicas");
        assertThat(EmpCli.row(emp(alice, "list").out(), "web")).contains("stopped", "0/0");

        // start: the count comes back
        Run start = emp(alice, "start", "web");
        assertThat(start.out())
                .containsPattern("web (pending|running): [0-3]/3 ready; 'emp info web' shows its progress");
        await().atMost(WAIT)
                .until(() -> deployment("emp-alice", "web").getSpec().getReplicas() == 3);
        awaitReady(alice, "web", 3);
        assertThat(pods("emp-alice", "web")).hasSize(3);
        assertThat(deployment("emp-alice", "web").getMetadata().getAnnotations())
                .as("a running app has nothing to remember")
                .doesNotContainKey("emp.io/replicas-before-stop");
        assertThat(emp(alice, "events", "web").out())
                .contains("stopped; 3 replicas will come back on start")
                .contains("started with 3 replicas");

        // remove: the app's objects go, its backend stays
        Run remove = emp(alice, "remove", "web");
        assertThat(remove.out()).contains("App 'web' removed.");
        await().atMost(WAIT)
                .until(() -> kube.apps()
                                        .deployments()
                                        .inNamespace("emp-alice")
                                        .withName("web")
                                        .get()
                                == null
                        && kube.services()
                                        .inNamespace("emp-alice")
                                        .withName("web")
                                        .get()
                                == null);
        await().atMost(WAIT).until(() -> pods("emp-alice", "web").isEmpty());
        String afterRemove = emp(alice, "list").out();
        assertThat(afterRemove).contains("backend").doesNotContain("web");
        Run gone = empFails(alice, "info", "web");
        assertThat(gone.err()).contains("you have no app with id or name 'web'");
        assertThat(deployment("emp-alice", "backend").getSpec().getReplicas()).isEqualTo(1);

        assertThat(emp(alice, "remove", "backend").out()).contains("App 'backend' removed.");
        await().atMost(WAIT)
                .until(() -> kube.apps()
                        .deployments()
                        .inNamespace("emp-alice")
                        .list()
                        .getItems()
                        .isEmpty());
        assertThat(emp(alice, "list").out()).contains("No apps yet");

        // logout
        assertThat(emp(alice, "logout").out()).contains("Logged out of " + api + ".");
        Run afterLogout = empFails(alice, "list");
        assertThat(afterLogout.err()).contains("emp login");
    }

    @Test
    void aCrashLoopingReplicaIsReportedWithKubernetesReason() throws Exception {
        Path bob = loggedIn("bob");
        Path spec = work.resolve("crasher.json");
        Files.writeString(
                spec,
                "{\"name\": \"crasher\", \"docker_image\": \"" + StandInController.CRASH_LOOP_IMAGE
                        + "\", \"port\": 8080}");

        // the platform fails the release once its replicas have exited 3 times, and says why in Kubernetes' words
        Run deploy = empFails(bob, "deploy", spec.toString());
        assertThat(deploy.out()).contains("crasher: replica crasher-").contains("'emp logs crasher' shows its output");
        assertThat(deploy.err())
                .contains("release v1 of 'crasher' failed: its replicas exited 3 times")
                .contains("CrashLoopBackOff")
                .contains("exited with code 1")
                .contains("fatal: cannot open configuration")
                .contains("no release of 'crasher' ran before")
                .contains("emp events crasher");

        Pod pod = awaitPods("emp-bob", "crasher", 1).get(0);
        String podName = pod.getMetadata().getName();
        await().atMost(WAIT)
                .until(() -> pods("emp-bob", "crasher")
                                .get(0)
                                .getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getRestartCount()
                        > 0);

        await().atMost(WAIT).until(() -> emp(bob, "events", "crasher").out().contains("CrashLoopBackOff"));
        String events = emp(bob, "events", "crasher").out();
        assertThat(events)
                .contains("replica " + podName + " is failing: CrashLoopBackOff: back-off 10s restarting failed")
                .contains("its container last exited with code 1 (Error)")
                .contains("replica " + podName + " was restarted by Kubernetes");
        assertThat(EmpCli.squeezed(events).lines())
                .as("a crash event, with the reason Kubernetes gives")
                .anyMatch(line -> line.contains(" crash replica " + podName + " is failing: CrashLoopBackOff"));

        assertThat(emp(bob, "logs", "crasher").out())
                .contains(podName + " | starting " + StandInController.CRASH_LOOP_IMAGE)
                .contains(podName + " | fatal: cannot open configuration; exiting with code 1");

        // the replica is shown crashed whenever Kubernetes says it fails, which is most of a crash loop
        await().atMost(WAIT).until(() -> {
            String row = EmpCli.row(emp(bob, "info", "crasher").out(), podName);
            return row != null && row.contains("crashed");
        });
        JsonNode info = JSON.readTree(emp(bob, "info", "crasher", "-o", "json").out());
        assertThat(info.get("replicas").get("ready").asInt()).isZero();
        assertThat(info.get("instances")).hasSize(1);
        assertThat(info.get("instances").get(0).get("id").asText()).isEqualTo(podName);
        assertThat(info.get("instances").get(0).get("restarts").asInt()).isPositive();

        assertThat(emp(bob, "remove", "crasher").out()).contains("App 'crasher' removed.");
        await().atMost(WAIT).until(() -> pods("emp-bob", "crasher").isEmpty());
    }

    @Test
    void aStatefulAppKeepsItsVolumesUntilRemovedWithPurge() throws Exception {
        Path carol = loggedIn("carol");
        Path spec = work.resolve("db.json");
        Files.writeString(
                spec,
                "{\"name\": \"db\", \"docker_image\": \"example.test/db:1\", \"stateless\": false, \"port\": 5432,"
                        + " \"replicas\": 2}");

        assertThat(emp(carol, "deploy", spec.toString()).out()).contains("db deployed: 2/2 ready at " + APP_URL);
        StatefulSet db = kube.apps()
                .statefulSets()
                .inNamespace("emp-carol")
                .withName("db")
                .get();
        assertThat(db.getSpec().getReplicas()).isEqualTo(2);
        assertThat(podNames(awaitPods("emp-carol", "db", 2))).containsExactlyInAnyOrder("db-0", "db-1");
        assertThat(claims("emp-carol")).containsExactlyInAnyOrder("data-db-0", "data-db-1");
        assertThat(EmpCli.squeezed(emp(carol, "info", "db").out())).contains("Ready: 2/2 replicas");

        // without --purge the data stays for the next deploy
        assertThat(emp(carol, "remove", "db").out()).contains("App 'db' removed.");
        await().atMost(WAIT)
                .until(() -> kube.apps()
                                        .statefulSets()
                                        .inNamespace("emp-carol")
                                        .withName("db")
                                        .get()
                                == null
                        && pods("emp-carol", "db").isEmpty());
        assertThat(claims("emp-carol")).containsExactlyInAnyOrder("data-db-0", "data-db-1");

        assertThat(emp(carol, "deploy", spec.toString()).out()).contains("db deployed: 2/2 ready");
        assertThat(claims("emp-carol")).containsExactlyInAnyOrder("data-db-0", "data-db-1");

        // --purge takes the volumes too
        assertThat(emp(carol, "remove", "db", "--purge").out()).contains("App 'db' removed, with its data.");
        await().atMost(WAIT).until(() -> claims("emp-carol").isEmpty());
        await().atMost(WAIT)
                .until(() -> kube.apps()
                                .statefulSets()
                                .inNamespace("emp-carol")
                                .withName("db")
                                .get()
                        == null);
    }

    @Test
    void pluginsShowsTheKubernetesClusterManagerActive() throws Exception {
        Run plugins = EmpCli.run(work, Files.createDirectories(work.resolve("anyone")), "plugins", "--server", api);
        assertThat(plugins.exit()).as(plugins.err()).isZero();
        String row = EmpCli.row(plugins.out(), "cluster-kubernetes");
        assertThat(row).contains("cluster:kubernetes*");
        assertThat(EmpCli.row(plugins.out(), "cluster-local"))
                .contains("cluster:local")
                .doesNotContain("cluster:local*");
        assertThat(plugins.out()).contains("* active");
    }

    // ---- the CLI ----

    /** Runs {@code emp} as {@code home}'s user; it must succeed. */
    private Run emp(Path home, String... args) throws Exception {
        Run run = EmpCli.run(work, home, args);
        assertThat(run.exit())
                .as("emp %s failed: %s", String.join(" ", args), run.err())
                .isZero();
        return run;
    }

    /** {@code emp} run as {@code home}'s user, expected to fail. */
    private Run empFails(Path home, String... args) throws Exception {
        Run run = EmpCli.run(work, home, args);
        assertThat(run.exit())
                .as("emp %s should have failed; it printed: %s", String.join(" ", args), run.out())
                .isNotZero();
        return run;
    }

    private Path loggedIn(String user) throws Exception {
        Path home = Files.createDirectories(work.resolve(user));
        emp(home, "create-account", "--server", api, "--username", user, "--password", "correct horse");
        emp(home, "login", "--server", api, "--username", user, "--password", "correct horse");
        return home;
    }

    /** Waits until {@code emp info} shows {@code replicas} ready replicas and no others. */
    private void awaitReady(Path home, String app, int replicas) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode info = JSON.readTree(emp(home, "info", app, "-o", "json").out());
            return info.get("replicas").get("ready").asInt() == replicas
                    && info.get("instances").size() == replicas;
        });
    }

    // ---- the cluster ----

    private Deployment deployment(String namespace, String name) {
        Deployment deployment =
                kube.apps().deployments().inNamespace(namespace).withName(name).get();
        assertThat(deployment).as("Deployment %s/%s", namespace, name).isNotNull();
        return deployment;
    }

    /** The app's pods that run or are on their way: not the ones being deleted. */
    private List<Pod> pods(String namespace, String app) {
        return kube.pods().inNamespace(namespace).withLabel(NAME_LABEL, app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    /** Waits until the app has {@code count} pods, all running and ready. */
    private List<Pod> awaitPods(String namespace, String app, int count) {
        List<List<Pod>> last = new ArrayList<>(List.of(List.of()));
        await().atMost(WAIT).until(() -> {
            last.set(0, pods(namespace, app));
            return last.get(0).size() == count
                    && last.get(0).stream()
                            .allMatch(pod -> "Running".equals(pod.getStatus().getPhase()));
        });
        return last.get(0);
    }

    private static List<String> podNames(List<Pod> pods) {
        return pods.stream().map(pod -> pod.getMetadata().getName()).toList();
    }

    private List<String> claims(String namespace) {
        return kube.persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
                .map(PersistentVolumeClaim::getMetadata)
                .map(metadata -> metadata.getName())
                .toList();
    }

    private static Map<String, String> env(Container container) {
        // A variable from the downward API (EMP_INSTANCE, the pod's name) has no value but where it comes from.
        return container.getEnv().stream()
                .collect(Collectors.toMap(
                        EnvVar::getName,
                        env -> env.getValue() != null
                                ? env.getValue()
                                : "from " + env.getValueFrom().getFieldRef().getFieldPath()));
    }

    // ---- the server ----

    private Path serverLog() {
        return server.log();
    }
}
