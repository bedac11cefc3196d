package emp.spi.app;

/**
 * CPU and memory for each replica (REQ-6), in Kubernetes quantities: {@code cpu} like {@code 500m} or {@code 2},
 * {@code memory} like {@code 256Mi}. Either may be null.
 */
public record Resources(String cpu, String memory) {}
