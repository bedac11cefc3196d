package emp.spi;

import static java.util.Objects.requireNonNull;

/**
 * The result of a component's cheap health check: whether it can serve, and a line a person can act on.
 *
 * @param healthy whether the component can serve requests now
 * @param detail  a short description, e.g. {@code "sqlite /var/emp/data/store.db"} or {@code "redis 10.0.0.5:6379 unreachable"}
 */
public record Health(boolean healthy, String detail) {
    public Health {
        requireNonNull(detail, "detail is null");
    }

    public static Health healthy(String detail) {
        return new Health(true, detail);
    }

    public static Health unhealthy(String detail) {
        return new Health(false, detail);
    }
}
