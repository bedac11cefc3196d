package emp.spi.app;

/**
 * Where a replica's readiness is checked. With a path, a replica is ready when an HTTP GET of it answers with a
 * status below 400; without one, when {@code /} gives any HTTP answer at all.
 */
public record HealthProbe(String path) {}
