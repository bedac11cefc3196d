package emp.cluster.kubernetes;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.Locale;
import java.util.Optional;

/**
 * Which of Kubernetes' Pod Security Standards app replicas are held to ({@code pod-security}): the security context
 * EMP gives their pods and containers, and the {@code pod-security.kubernetes.io/enforce} label of the users'
 * namespaces, so that the cluster itself refuses a pod that does not meet it, whoever made the pod.
 *
 * <p>Tenants' images are not EMP's, and a container that runs as root, keeps its capabilities or may gain privileges
 * is one kernel bug away from the node and every other tenant on it. Restricted is the default; an operator whose
 * users' images must run as root can lower it.
 */
public enum PodSecurity {
    /**
     * Non-root, no privilege escalation, every capability dropped, the runtime's default seccomp profile. An image
     * must name a numeric non-root user ({@code USER 10001}) or its pods do not start.
     */
    RESTRICTED("restricted"),
    /** No privilege escalation and the runtime's default seccomp profile; the image may run as root. */
    BASELINE("baseline"),
    /** Nothing set and no namespace label: whatever the cluster's own admission allows. */
    NONE("none");

    /** The Pod Security admission label of a namespace. */
    static final String ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

    private final String spelling;

    PodSecurity(String spelling) {
        this.spelling = spelling;
    }

    /** The name as the configuration and Kubernetes write it, e.g. {@code restricted}. */
    public String spelling() {
        return spelling;
    }

    /** Reads {@code restricted}, {@code Baseline}, {@code NONE}: case does not matter. */
    static Optional<PodSecurity> parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (PodSecurity level : values()) {
            if (level.spelling.equals(wanted)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    /** The value of {@value #ENFORCE_LABEL} on the users' namespaces; empty with {@link #NONE}. */
    Optional<String> enforceLabel() {
        return this == NONE ? Optional.empty() : Optional.of(spelling);
    }

    /** The pod-level security context of app replicas; null with {@link #NONE}. */
    PodSecurityContext pod() {
        return switch (this) {
            case RESTRICTED ->
                new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build();
            case BASELINE ->
                new PodSecurityContextBuilder()
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build();
            case NONE -> null;
        };
    }

    /** The security context of the app's container; null with {@link #NONE}. */
    SecurityContext container() {
        return switch (this) {
            case RESTRICTED ->
                new SecurityContextBuilder()
                        .withAllowPrivilegeEscalation(false)
                        .withRunAsNonRoot(true)
                        .withNewCapabilities()
                        .addToDrop("ALL")
                        .endCapabilities()
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build();
            case BASELINE ->
                new SecurityContextBuilder().withAllowPrivilegeEscalation(false).build();
            case NONE -> null;
        };
    }

    @Override
    public String toString() {
        return spelling;
    }
}
