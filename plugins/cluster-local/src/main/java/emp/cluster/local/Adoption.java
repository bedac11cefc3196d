package emp.cluster.local;

import emp.spi.AppRef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back, as the cluster starts, the replicas an earlier server left running: reads each app's
 * {@link AppStateFile} and adopts the replicas whose processes are still the ones recorded (the same pid, started at
 * the recorded instant), then ends whatever an earlier run left that no state file accounts for (its control groups,
 * see {@link Confinement#sweep}, and its processes, see {@link OrphanSweep}). An adopted app is deployed again by the
 * reconciler; until then its replicas serve, but none is started, as its launch plan is not recorded.
 */
final class Adoption {
    private static final Logger log = LoggerFactory.getLogger(Adoption.class);

    /** An adopted process whose start time differs from the recorded one by more than this is another process. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private Adoption() {}

    /** Adopts what the state files below {@code data} record; runs with the {@link ClusterState}'s lock held. */
    static void adoptAll(ClusterState state, DataFolder data, Supervisor supervisor, Confinement confinement) {
        for (Path file : stateFiles(data.apps())) {
            try {
                adopt(AppStateFile.read(file), state, data, supervisor);
            } catch (IOException e) {
                log.warn(
                        "ignoring the state file '{}' ({}); the replicas it lists are not adopted",
                        file,
                        e.getMessage());
            }
        }
        Set<Long> adopted = new HashSet<>();
        Set<String> adoptedGroups = new HashSet<>();
        for (Replica replica : state.replicas()) {
            if (replica.handle != null) {
                adopted.add(replica.handle.pid());
                adoptedGroups.add(Confinement.groupName(replica.app, replica.id));
            }
        }
        confinement.sweep(adoptedGroups);
        OrphanSweep.sweep(data.root(), adopted);
    }

    /** The state file of every app, {@code apps/{owner}/{name}/state.properties}. */
    private static List<Path> stateFiles(Path apps) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(apps, Files::isDirectory)) {
            for (Path owner : owners) {
                try (DirectoryStream<Path> names = Files.newDirectoryStream(owner, Files::isDirectory)) {
                    for (Path name : names) {
                        Path file = name.resolve(AppStateFile.NAME);
                        if (Files.isRegularFile(file)) {
                            files.add(file);
                        }
                    }
                }
            }
        } catch (IOException e) {
            log.warn(
                    "cannot list the apps in '{}' ({}); replicas left by an earlier run are not adopted",
                    apps,
                    e.toString());
            return List.of();
        }
        return files;
    }

    private static void adopt(AppStateFile recorded, ClusterState state, DataFolder data, Supervisor supervisor) {
        AppRef ref = recorded.app();
        LocalApp app = new LocalApp(ref, data.app(ref));
        app.fingerprint = recorded.fingerprint();
        app.healthPath = recorded.healthPath();
        app.stateless = recorded.stateless();
        app.desired = recorded.desired();
        state.reserveIndex(ref, recorded.nextIndex());
        for (AppStateFile.Entry entry : recorded.replicas()) {
            Optional<ProcessHandle> handle = running(entry);
            if (handle.isEmpty()) {
                log.info(
                        "replica {} of app '{}' (pid {}) is no longer running, or its pid is now another process's;"
                                + " forgetting it",
                        entry.id(),
                        ref,
                        entry.pid());
                continue;
            }
            state.reserveIndex(ref, entry.index() + 1);
            supervisor.adopt(app, entry, handle.get());
        }
        app.replicas.sort(Comparator.comparingInt(replica -> replica.index));
        state.apps.put(ref, app);
        state.route(app);
        state.persist(app);
    }

    /** The recorded replica's process, if it still runs: a live process with its pid, started when it was. */
    private static Optional<ProcessHandle> running(AppStateFile.Entry entry) {
        return ProcessHandle.of(entry.pid())
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info()
                        .startInstant()
                        .map(started ->
                                Duration.between(started, entry.started()).abs().compareTo(START_TOLERANCE) <= 0)
                        .orElse(false));
    }
}
