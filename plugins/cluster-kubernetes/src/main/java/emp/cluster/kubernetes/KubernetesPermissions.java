package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every (API group, resource, verb) the plugin asks the API server for, in one place: the ClusterRole in
 * {@code deploy/kubernetes/rbac.yaml} grants exactly these, and the plugin's tests check both that the role covers them
 * and that a full deploy, scale, stop, start, status, logs and remove cycle asks for nothing else.
 *
 * <p>Reads are list and watch across namespaces (the informers behind status, events and endpoints) and get (the
 * state of an object right before writing it). Writes are patch (server-side apply, scaling) and, for API servers
 * that do not implement apply, create and update. Pods are never written: their controllers make them.
 */
final class KubernetesPermissions {
    /** One permission. {@code apiGroup} is empty for the core group; {@code resource} may name a subresource. */
    record Permission(String apiGroup, String resource, String verb) {
        Permission {
            requireNonNull(apiGroup, "apiGroup is null");
            requireNonNull(resource, "resource is null");
            requireNonNull(verb, "verb is null");
        }

        @Override
        public String toString() {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ":" + verb;
        }
    }

    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "update", "patch", "delete");

    /** What the plugin uses. */
    static final Set<Permission> REQUIRED = build();

    private KubernetesPermissions() {}

    private static Set<Permission> build() {
        Set<Permission> permissions = new LinkedHashSet<>();
        // One namespace per user, made on first deploy and never deleted by EMP.
        add(permissions, "", "namespaces", List.of("get", "create", "update", "patch"));
        add(permissions, "apps", "deployments", READ);
        add(permissions, "apps", "deployments", WRITE);
        add(permissions, "apps", "statefulsets", READ);
        add(permissions, "apps", "statefulsets", WRITE);
        add(permissions, "", "services", READ);
        add(permissions, "", "services", WRITE);
        add(permissions, "networking.k8s.io", "ingresses", READ);
        add(permissions, "networking.k8s.io", "ingresses", WRITE);
        // Each user's namespace's NetworkPolicy, written with the namespace and never deleted by EMP.
        add(permissions, "networking.k8s.io", "networkpolicies", List.of("get", "create", "update", "patch"));
        // The Secret of each app with secrets: read only by name before it is written or deleted, never listed or
        // watched, so that no other Secret of the cluster passes through EMP.
        add(permissions, "", "secrets", List.of("get", "create", "update", "patch", "delete"));
        // The PodDisruptionBudget of each app with two replicas or more.
        add(permissions, "policy", "poddisruptionbudgets", List.of("get"));
        add(permissions, "policy", "poddisruptionbudgets", WRITE);
        add(permissions, "", "pods", List.of("list", "watch"));
        add(permissions, "", "pods/log", List.of("get"));
        // A stateful app's volumes go only when it is removed without keeping its data.
        add(permissions, "", "persistentvolumeclaims", List.of("deletecollection"));
        // A node's address for NodePort URLs, when cluster.kubernetes.node-host does not give one.
        add(permissions, "", "nodes", List.of("list"));
        return Set.copyOf(permissions);
    }

    private static void add(Set<Permission> permissions, String group, String resource, List<String> verbs) {
        verbs.forEach(verb -> permissions.add(new Permission(group, resource, verb)));
    }
}
