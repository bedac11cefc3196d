package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;

/**
 * One call from an app to another, as read from a trace.
 *
 * @param from           the caller
 * @param to             the callee
 * @param startMicros    when the call started
 * @param durationMicros how long the caller waited
 * @param error          whether it failed
 */
public record EdgeSample(AppRef from, AppRef to, long startMicros, long durationMicros, boolean error) {
    public EdgeSample {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
    }
}
