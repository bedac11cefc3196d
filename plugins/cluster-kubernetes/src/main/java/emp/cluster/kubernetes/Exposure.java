package emp.cluster.kubernetes;

import java.util.Locale;
import java.util.Optional;

/** How end users reach an app: the type of its Service, or an Ingress in front of it. */
public enum Exposure {
    /** A Service of type LoadBalancer per app; its external address is the app's URL. */
    LOAD_BALANCER("LoadBalancer"),
    /** A Service of type NodePort per app; the app's URL is a node's address and the port Kubernetes picked. */
    NODE_PORT("NodePort"),
    /** A ClusterIP Service per app behind an Ingress rule for the path {@code /{user}/{app}}. */
    INGRESS("Ingress");

    private final String spelling;

    Exposure(String spelling) {
        this.spelling = spelling;
    }

    /** The name as the configuration and Kubernetes write it, e.g. {@code LoadBalancer}. */
    public String spelling() {
        return spelling;
    }

    /** Reads {@code LoadBalancer}, {@code load-balancer}, {@code nodeport}...: case and dashes do not matter. */
    static Optional<Exposure> parse(String text) {
        String wanted = text.trim().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        for (Exposure exposure : values()) {
            if (exposure.spelling.toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(exposure);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return spelling;
    }
}
