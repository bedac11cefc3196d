package emp.spi.scheduler;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;

/**
 * A scheduler's verdict on one app.
 *
 * @param app      the app
 * @param replicas how many replicas it should have
 * @param reason   why, in words a person reads in the event log: {@code p95 410 ms > 200 ms target}
 */
public record ScaleDecision(AppRef app, int replicas, String reason) {
    public ScaleDecision {
        requireNonNull(app, "app is null");
        requireNonNull(reason, "reason is null");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas is negative: " + replicas);
        }
    }
}
