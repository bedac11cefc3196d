package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.cluster.kubernetes.KubernetesPermissions.Permission;
import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permissions the plugin declares are the ones it uses: a full cycle (deploy with secrets, re-deploy, scale, stop,
 * start, status, logs, endpoints, remove) against the CRUD mock, with every request the plugin sends recorded and turned
 * into the (API group, resource, verb) the API server's authorizer would check.
 */
class KubernetesPermissionsTest {
    @TempDir
    Path dir;

    @Test
    void requestsAreReadAsTheAuthorizerReadsThem() {
        assertThat(permission("GET", "/apis/apps/v1/deployments?labelSelector=a%3Db&resourceVersion=0"))
                .isEqualTo(new Permission("apps", "deployments", "list"));
        assertThat(permission("GET", "/apis/apps/v1/deployments?allowWatchBookmarks=true&watch=true"))
                .isEqualTo(new Permission("apps", "deployments", "watch"));
        assertThat(permission("GET", "/apis/apps/v1/namespaces/emp-a/statefulsets/db"))
                .isEqualTo(new Permission("apps", "statefulsets", "get"));
        assertThat(permission("PATCH", "/api/v1/namespaces/emp-a?fieldManager=emp&force=true"))
                .isEqualTo(new Permission("", "namespaces", "patch"));
        assertThat(permission("POST", "/api/v1/namespaces")).isEqualTo(new Permission("", "namespaces", "create"));
        assertThat(permission("GET", "/api/v1/namespaces/emp-a/pods/web-0/log?tailLines=5"))
                .isEqualTo(new Permission("", "pods/log", "get"));
        assertThat(permission("DELETE", "/api/v1/namespaces/emp-a/persistentvolumeclaims?labelSelector=x"))
                .isEqualTo(new Permission("", "persistentvolumeclaims", "deletecollection"));
        assertThat(permission("PUT", "/apis/networking.k8s.io/v1/namespaces/emp-a/ingresses/web"))
                .isEqualTo(new Permission("networking.k8s.io", "ingresses", "update"));
        assertThat(permission("GET", "/api/v1/nodes")).isEqualTo(new Permission("", "nodes", "list"));
    }

    @Test
    void aFullCycleUsesExactlyTheDeclaredPermissions() {
        try (MockCluster cluster = MockCluster.crud();
                StandInController controller = new StandInController(cluster).start()) {
            KubernetesClusterManager ingress =
                    Managers.manager(cluster, dir.resolve("a"), Map.of("exposure", "Ingress"));
            KubernetesClusterManager nodePort =
                    Managers.manager(cluster, dir.resolve("b"), Map.of("exposure", "NodePort"));
            try {
                ingress.start();
                AppRef web = new AppRef("alice", "web");
                AppRef db = new AppRef("alice", "db");
                ingress.deploy(new AppDeployment(web, Managers.web("web"), 2, Map.of(), false, Map.of("TOKEN", "one")));
                ingress.deploy(new AppDeployment(db, Managers.stateful(Managers.web("db")), 1, Map.of()));
                awaitReady(ingress, web, 2);
                awaitReady(ingress, db, 1);
                // A changed spec writes every object again, the app's Secret too.
                ingress.deploy(new AppDeployment(
                        web, Managers.web("web"), 2, Map.of("REVISION", "2"), false, Map.of("TOKEN", "two")));
                ingress.deploy(
                        new AppDeployment(db, Managers.stateful(Managers.web("db")), 1, Map.of("REVISION", "2")));
                ingress.scale(web, 3);
                // Stopped and started as the host does it: to no replicas, then back to the count it had.
                ingress.scale(web, 0);
                ingress.scale(web, 3);
                awaitReady(ingress, web, 3);
                assertThat(ingress.logs(web, 5)).isNotEmpty();
                assertThat(ingress.logs(db, 5)).isNotEmpty();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> ingress.endpoint(web).isPresent());
                assertThat(ingress.apps()).contains(web, db);
                assertThat(ingress.check().healthy()).isTrue();

                nodePort.start();
                AppRef api = new AppRef("alice", "api");
                nodePort.deploy(new AppDeployment(api, Managers.web("api"), 1, Map.of()));
                awaitReady(nodePort, api, 1);
                assertThat(nodePort.endpoint(api))
                        .as("without node-host the nodes are listed; the mock's have no address")
                        .isEmpty();

                ingress.remove(web, true);
                ingress.remove(db, false);
                nodePort.remove(api, false);
            } finally {
                ingress.close();
                nodePort.close();
            }

            List<MockCluster.Request> requests = cluster.pluginRequests();
            assertThat(requests)
                    .as("requests the plugin sent, told by its user agent")
                    .isNotEmpty();
            Set<Permission> used = requests.stream()
                    .map(request -> permission(request.method(), request.path()))
                    .collect(Collectors.toSet());
            assertThat(new TreeSet<>(used.stream().map(Permission::toString).toList()))
                    .as("what the plugin used")
                    .isEqualTo(new TreeSet<>(KubernetesPermissions.REQUIRED.stream()
                            .map(Permission::toString)
                            .toList()));
        }
    }

    private static void awaitReady(KubernetesClusterManager manager, AppRef app, int count) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(manager.status(app).instances())
                        .hasSize(count)
                        .extracting(InstanceStatus::state)
                        .containsOnly(InstanceState.READY));
    }

    /** The permission the API server checks for a request: its group, resource (and subresource), and verb. */
    static Permission permission(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        List<String> segments = Arrays.stream(uri.getPath().split("/"))
                .filter(segment -> !segment.isEmpty())
                .toList();
        String group;
        int rest;
        if (segments.get(0).equals("api")) {
            group = "";
            rest = 2;
        } else {
            assertThat(segments.get(0)).as(pathAndQuery).isEqualTo("apis");
            group = segments.get(1);
            rest = 3;
        }
        List<String> parts = segments.subList(rest, segments.size());
        if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
            parts = parts.subList(2, parts.size());
        }
        String resource = parts.get(0);
        boolean named = parts.size() >= 2;
        if (parts.size() >= 3) {
            resource = resource + "/" + parts.get(2);
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String verb = switch (method) {
            case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("unexpected method " + method + " " + pathAndQuery);
        };
        return new Permission(group, resource, verb);
    }
}
