package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.time.Instant;

/**
 * Something that happened to a replica, worth a line in the app's event log.
 *
 * @param app      the app
 * @param instance the replica's id
 * @param type     what happened
 * @param message  a sentence for a person: {@code replica hello-2 exited with code 137; restarting in 2s}
 * @param time     when
 */
public record ClusterEvent(AppRef app, String instance, Type type, String message, Instant time) {
    public enum Type {
        /** The replica answers its health check. */
        READY,
        /** The replica exited, or its process or pod failed, without being asked to. */
        CRASHED,
        /** The cluster is starting the replica again after a crash. */
        RESTARTED,
        /** The replica stopped because it was asked to. */
        STOPPED
    }

    public ClusterEvent {
        requireNonNull(app, "app is null");
        requireNonNull(instance, "instance is null");
        requireNonNull(type, "type is null");
        requireNonNull(message, "message is null");
        requireNonNull(time, "time is null");
    }
}
