package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * One replica of an app.
 *
 * @param id        the replica's id, stable for its life, e.g. {@code hello-2} or a pod name
 * @param state     where it is in its life
 * @param endpoint  where it serves, e.g. {@code http://127.0.0.1:41234}; null before it has an address
 * @param pid       its process id where it is a local process
 * @param restarts  how many times it was restarted after exiting
 * @param since     when it entered its current state
 * @param message   why it is in this state when that is worth saying ({@code exited with code 1; restarting in 2s}),
 *                  or null
 * @param outdated  whether it runs what an earlier {@code deploy} asked for, and a rollout will replace it: the
 *                  platform knows a rollout is done when no replica is outdated and enough are ready, and that one
 *                  fails when the replicas that are not outdated crash or never become ready
 */
public record InstanceStatus(
        String id,
        InstanceState state,
        URI endpoint,
        OptionalLong pid,
        int restarts,
        Instant since,
        String message,
        boolean outdated) {
    public InstanceStatus {
        requireNonNull(id, "id is null");
        requireNonNull(state, "state is null");
        requireNonNull(pid, "pid is null");
        requireNonNull(since, "since is null");
    }

    /** A replica that runs what the last {@code deploy} asked for. */
    public InstanceStatus(
            String id,
            InstanceState state,
            URI endpoint,
            OptionalLong pid,
            int restarts,
            Instant since,
            String message) {
        this(id, state, endpoint, pid, restarts, since, message, false);
    }
}
