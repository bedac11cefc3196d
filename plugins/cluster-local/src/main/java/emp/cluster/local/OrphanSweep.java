package emp.cluster.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the processes an earlier run of this cluster left running without a record: a replica started just before
 * the server was killed (its pid not yet in its app's state file), a replica of an app removed while the server was
 * down, a child it left behind. They are found by their working folder, which is under the cluster's data folder for
 * every replica (and for whatever it starts without changing folder), and only where the kernel says (Linux's
 * {@code /proc/PID/cwd}; elsewhere, or for a process of another user, nothing is found). The replicas adopted at this
 * start, and their descendants, are kept.
 */
final class OrphanSweep {
    private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);

    private OrphanSweep() {}

    /**
     * @param root the cluster's data folder
     * @param kept the pids of the replicas adopted at this start
     * @return the pids killed
     */
    static List<Long> sweep(Path root, Set<Long> kept) {
        return kill(
                root,
                kept,
                "left running by an earlier run with no record of it: a replica started just before"
                        + " the server died, or of an app removed meanwhile");
    }

    /**
     * Kills every process working under {@code root} but {@code kept} (and their descendants) and this server.
     *
     * @param why what they are, for the log
     * @return the pids killed
     */
    static List<Long> kill(Path root, Set<Long> kept, String why) {
        Path base = root.toAbsolutePath().normalize();
        Set<Long> self = new java.util.HashSet<>();
        for (Optional<ProcessHandle> at = Optional.of(ProcessHandle.current());
                at.isPresent();
                at = at.get().parent()) {
            self.add(at.get().pid());
        }
        List<Long> killed = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(process -> {
            long pid = process.pid();
            // Never this server or what started it; never an adopted replica or a child of one.
            if (self.contains(pid) || descendsFrom(process, kept)) {
                return;
            }
            Optional<Path> folder = workingFolder(pid);
            if (folder.isEmpty() || !folder.get().startsWith(base)) {
                return;
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            if (process.destroyForcibly()) {
                killed.add(pid);
                log.warn(
                        "killed pid {} ({}) in '{}', {}",
                        pid,
                        process.info().command().orElse("?"),
                        folder.get(),
                        why);
            }
        });
        return killed;
    }

    private static boolean descendsFrom(ProcessHandle process, Set<Long> kept) {
        for (Optional<ProcessHandle> at = Optional.of(process);
                at.isPresent();
                at = at.get().parent()) {
            if (kept.contains(at.get().pid())) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Path> workingFolder(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
