package emp.cluster.local;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.LogLine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logs of the cluster's replicas (each a {@link ReplicaLog}): read and measured for the SPI, and rotated once they
 * grow past the limit. The {@link ClusterState}'s lock is taken only to find them; files are read without it.
 */
final class ReplicaLogs {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLogs.class);

    /** How often logs are measured: a stat each, so often enough that a fast writer overshoots its limit little. */
    static final Duration ROTATION_PERIOD = Duration.ofMillis(250);

    private final ClusterState state;
    private final long maxBytes;

    ReplicaLogs(ClusterState state, long maxBytes) {
        this.state = state;
        this.maxBytes = maxBytes;
    }

    /** The last {@code tail} lines of each of the app's replicas, replica by replica; empty for an unknown app. */
    Optional<List<LogLine>> tail(AppRef ref, int tail) {
        return logsOf(ref).map(logs -> {
            List<LogLine> lines = new ArrayList<>();
            logs.forEach((id, replicaLog) -> {
                try {
                    replicaLog.tail(tail).forEach(line -> lines.add(new LogLine(id, line)));
                } catch (IOException e) {
                    throw new PlatformException(
                            ErrorCategory.INTERNAL,
                            "cannot read the log of replica " + id + " at '" + replicaLog.file() + "' (" + e
                                    + "); check the server's data folder",
                            e);
                }
            });
            return lines;
        });
    }

    /** The bytes the logs of the app's replicas take; empty for an unknown app. */
    OptionalLong bytes(AppRef ref) {
        return logsOf(ref)
                .map(logs -> OptionalLong.of(
                        logs.values().stream().mapToLong(ReplicaLog::bytes).sum()))
                .orElse(OptionalLong.empty());
    }

    /** Empties the logs that grew past the limit; runs on the cluster's executor. */
    void rotate() {
        List<ReplicaLog> logs = new ArrayList<>();
        synchronized (state.lock) {
            state.apps.values().forEach(app -> app.replicas.forEach(replica -> logs.add(replica.log)));
        }
        for (ReplicaLog replicaLog : logs) {
            try {
                if (replicaLog.rotateIfLarger(maxBytes)) {
                    log.debug("rotated '{}'", replicaLog.file());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot rotate the log '{}' ({})", replicaLog.file(), e.toString());
            }
        }
    }

    private Optional<Map<String, ReplicaLog>> logsOf(AppRef ref) {
        Map<String, ReplicaLog> logs = new LinkedHashMap<>();
        synchronized (state.lock) {
            LocalApp app = state.apps.get(ref);
            if (app == null) {
                return Optional.empty();
            }
            app.replicas.forEach(replica -> logs.put(replica.id, replica.log));
        }
        return Optional.of(logs);
    }
}
