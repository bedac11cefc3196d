package emp.cluster.local;

import emp.spi.app.Resources;

/**
 * The spec's {@code resources} as limits on one replica: cpu in millicores and memory in bytes, 0 for no limit. The
 * spec's forms are those the control API accepts ({@code "0.5"}, {@code "500m"}; {@code "256Mi"}, {@code "1G"}), as
 * in Kubernetes.
 *
 * @param cpuMillis   the cpu a replica may use, in thousandths of a core; 0 for no limit
 * @param memoryBytes the memory a replica may use; 0 for no limit
 */
record ResourceLimits(long cpuMillis, long memoryBytes) {
    static final ResourceLimits NONE = new ResourceLimits(0, 0);

    ResourceLimits {
        if (cpuMillis < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("limits are negative: " + cpuMillis + "m, " + memoryBytes + " bytes");
        }
    }

    /**
     * The limits of {@code resources} (null for none).
     *
     * @throws IllegalArgumentException naming the field when a value is not of the accepted forms
     */
    static ResourceLimits of(Resources resources) {
        if (resources == null) {
            return NONE;
        }
        return new ResourceLimits(
                resources.cpu() == null ? 0 : Resources.millicores(resources.cpu()),
                resources.memory() == null ? 0 : Resources.bytes(resources.memory()));
    }

    boolean any() {
        return cpuMillis > 0 || memoryBytes > 0;
    }
}
