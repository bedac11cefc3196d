package emp.spi.app;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * CPU and memory for each replica (REQ-6), in Kubernetes quantities: {@code cpu} like {@code 500m} or {@code 2},
 * {@code memory} like {@code 256Mi}. Either may be null.
 */
public record Resources(String cpu, String memory) {
    /**
     * A cpu quantity in thousandths of a core, at least 1: {@code "0.5"} or {@code "500m"} is 500.
     *
     * @throws IllegalArgumentException naming {@code resources.cpu} when the value is not of those forms
     */
    public static long millicores(String cpu) {
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

    /**
     * A memory quantity in bytes: {@code "256Mi"}, {@code "1G"}, {@code "1000"}.
     *
     * @throws IllegalArgumentException naming {@code resources.memory} when the value is not of those forms
     */
    public static long bytes(String memory) {
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
