package emp.cluster.kubernetes;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules of Kubernetes' Pod Security Standard "restricted" (and the "baseline" ones it includes) that a pod
 * template can break, as Pod Security admission checks them: what a cluster that enforces the profile would refuse.
 * See https://kubernetes.io/docs/concepts/security/pod-security-standards/.
 */
final class RestrictedProfile {
    private static final Set<String> VOLUME_TYPES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

    private RestrictedProfile() {}

    /** What in {@code spec} the profile forbids, one sentence each; empty when the pod passes. */
    static List<String> violations(PodSpec spec) {
        List<String> problems = new ArrayList<>();
        PodSecurityContext pod = spec.getSecurityContext();
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            problems.add("uses the host's network, PID or IPC namespace");
        }
        for (Volume volume : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
            if (!VOLUME_TYPES.contains(type(volume))) {
                problems.add("volume " + volume.getName() + " is of type " + type(volume));
            }
        }
        boolean podNonRoot = pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot());
        boolean podSeccomp = pod != null && allowedSeccomp(pod.getSeccompProfile());
        if (pod != null && pod.getSeccompProfile() != null && !allowedSeccomp(pod.getSeccompProfile())) {
            problems.add(
                    "the pod's seccompProfile is " + pod.getSeccompProfile().getType());
        }
        if (pod != null && Long.valueOf(0).equals(pod.getRunAsUser())) {
            problems.add("the pod runs as user 0");
        }
        List<Container> containers = Stream.of(spec.getInitContainers(), spec.getContainers())
                .filter(list -> list != null)
                .flatMap(List::stream)
                .toList();
        for (Container container : containers) {
            String name = "container " + container.getName();
            SecurityContext context = container.getSecurityContext();
            if (context == null) {
                context = new SecurityContext();
            }
            if (Boolean.TRUE.equals(context.getPrivileged())) {
                problems.add(name + " is privileged");
            }
            if (!Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
                problems.add(name + " does not set allowPrivilegeEscalation: false");
            }
            boolean nonRoot = context.getRunAsNonRoot() != null ? context.getRunAsNonRoot() : podNonRoot;
            if (!nonRoot) {
                problems.add(name + " does not set runAsNonRoot: true (in its own or the pod's securityContext)");
            }
            if (Long.valueOf(0).equals(context.getRunAsUser())) {
                problems.add(name + " runs as user 0");
            }
            boolean seccomp =
                    context.getSeccompProfile() != null ? allowedSeccomp(context.getSeccompProfile()) : podSeccomp;
            if (!seccomp) {
                problems.add(name + " has no seccompProfile RuntimeDefault or Localhost (in its own or the pod's)");
            }
            Capabilities capabilities = context.getCapabilities();
            List<String> drop =
                    capabilities == null || capabilities.getDrop() == null ? List.of() : capabilities.getDrop();
            if (!drop.contains("ALL")) {
                problems.add(name + " does not drop ALL capabilities");
            }
            List<String> add =
                    capabilities == null || capabilities.getAdd() == null ? List.of() : capabilities.getAdd();
            if (add.stream().anyMatch(capability -> !capability.equals("NET_BIND_SERVICE"))) {
                problems.add(name + " adds capabilities " + add + "; only NET_BIND_SERVICE is allowed");
            }
            if (container.getPorts() != null
                    && container.getPorts().stream()
                            .anyMatch(port -> port.getHostPort() != null && port.getHostPort() != 0)) {
                problems.add(name + " uses a host port");
            }
        }
        return problems;
    }

    private static boolean allowedSeccomp(SeccompProfile profile) {
        return profile != null && ("RuntimeDefault".equals(profile.getType()) || "Localhost".equals(profile.getType()));
    }

    private static String type(Volume volume) {
        if (volume.getConfigMap() != null) {
            return "configMap";
        }
        if (volume.getCsi() != null) {
            return "csi";
        }
        if (volume.getDownwardAPI() != null) {
            return "downwardAPI";
        }
        if (volume.getEmptyDir() != null) {
            return "emptyDir";
        }
        if (volume.getEphemeral() != null) {
            return "ephemeral";
        }
        if (volume.getPersistentVolumeClaim() != null) {
            return "persistentVolumeClaim";
        }
        if (volume.getProjected() != null) {
            return "projected";
        }
        if (volume.getSecret() != null) {
            return "secret";
        }
        return volume.getHostPath() != null ? "hostPath" : "another type";
    }
}
