package emp.cluster.local;

import emp.spi.app.Resources;
import java.math.BigDecimal;
import java.math.RoundingMode;

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
                resources.cpu() == null ? 0 : millicores(resources.cpu()),
                resources.memory() == null ? 0 : bytes(resources.memory()));
    }

    boolean any() {
        return cpuMillis > 0 || memoryBytes > 0;
    }

    static long millicores(String cpu) {
        String value = cpu.trim();
        try {
            BigDecimal millis = value.endsWith("m")
                    ? new BigDecimal(value.substring(0, value.length() - 1))
                    : new BigDecimal(value).movePointRight(3);
            return Math.max(1, millis.setScale(0, RoundingMode.CEILING).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "resources.cpu is '" + cpu + "'; expected cores like \"0.5\" or millicores like \"500m\"", e);
        }
    }

    static long bytes(String memory) {
        String value = memory.trim();
        int unitAt = value.length();
        while (unitAt > 0 && Character.isLetter(value.charAt(unitAt - 1))) {
            unitAt--;
        }
        long factor = switch (value.substring(unitAt)) {
            case "" -> 1L;
            case "k" -> 1000L;
            case "M" -> 1000L * 1000;
            case "G" -> 1000L * 1000 * 1000;
            case "T" -> 1000L * 1000 * 1000 * 1000;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            default ->
                throw new IllegalArgumentException(
                        "resources.memory is '" + memory + "'; expected a size like \"256Mi\" or \"1Gi\"");
        };
        try {
            return new BigDecimal(value.substring(0, unitAt))
                    .multiply(BigDecimal.valueOf(factor))
                    .setScale(0, RoundingMode.CEILING)
                    .longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "resources.memory is '" + memory + "'; expected a size like \"256Mi\" or \"1Gi\"", e);
        }
    }
}
