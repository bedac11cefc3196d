package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;

/**
 * One request an app served, as read from a trace.
 *
 * @param app            the app
 * @param startMicros    when it started, microseconds since the epoch
 * @param durationMicros how long the app took to answer
 * @param selfMicros     the part of it not spent waiting on calls to other apps
 * @param error          whether it failed
 */
public record AppSample(AppRef app, long startMicros, long durationMicros, long selfMicros, boolean error) {
    public AppSample {
        requireNonNull(app, "app is null");
    }
}
