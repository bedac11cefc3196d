package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterListener;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LogLine;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated cluster, for scale benchmarks and tests of the platform, not for users: {@code nodes} hollow nodes of
 * so many cpus and MiB each, on which replicas are placed by the resources their spec asks for (see {@link NodePool}),
 * start after a drawn latency, and become ready, or crash and are restarted after a back-off (see {@link SimCluster}).
 * Nothing runs: no process, no thread, no socket per replica; time passes on one scheduler thread, and listeners are
 * called from it.
 *
 * <p>Nothing answers either. A replica's endpoint is {@code http://node-<n>.sim.invalid/<owner>/<app>/<replica>} and
 * an app's is {@code http://sim.invalid/<owner>/<app>}, in the {@code .invalid} domain that never resolves: they name
 * where things would be, for a platform that shows them, and any request to them fails. There is no entry point and
 * no load figures; {@link #logs} describes each replica in two lines, as nothing writes any.
 *
 * <p>The simulation lives as long as this manager: {@link #close()} ends it, and a new manager starts empty. Keeping
 * an app's data on removal keeps nothing, as a simulated replica has none. Thread-safe.
 */
public final class SimClusterManager implements ClusterManager {
    private static final Logger log = LoggerFactory.getLogger(SimClusterManager.class);

    /** Where apps would be reached: the {@code .invalid} domain, which never resolves (RFC 2606). */
    static final String DOMAIN = "sim.invalid";

    private enum Lifecycle {
        NEW,
        STARTED,
        CLOSED
    }

    private final SimClusterConfig config;
    private final Clock clock;
    private final EventRelay events = new EventRelay();
    private final Object lock = new Object();
    private Lifecycle lifecycle = Lifecycle.NEW;
    private ScheduledThreadPoolExecutor scheduler;
    private volatile SimCluster cluster;

    /** Makes a manager; starts nothing until {@link #start()}. */
    public SimClusterManager(SimClusterConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Starts the scheduler thread over empty nodes: a simulated cluster has nothing to adopt from an earlier run. */
    @Override
    public void start() {
        synchronized (lock) {
            if (lifecycle == Lifecycle.STARTED) {
                return;
            }
            if (lifecycle == Lifecycle.CLOSED) {
                throw new PlatformException(
                        ErrorCategory.INTERNAL,
                        "the simulated cluster manager was closed; make a new one to start again");
            }
            ClassLoader loader = SimClusterManager.class.getClassLoader();
            scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "cluster-sim");
                thread.setDaemon(true);
                thread.setContextClassLoader(loader);
                return thread;
            });
            // Timers pending at close have nothing left to do.
            scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            events.attach(scheduler);
            cluster = new SimCluster(config, clock, scheduler, events);
            lifecycle = Lifecycle.STARTED;
            log.info(
                    "simulated cluster started: {} nodes of {} cpus and {} MiB",
                    config.nodes(),
                    config.nodeCpus(),
                    config.nodeMemoryMib());
        }
    }

    /**
     * Refuses a spec whose replica asks for more cpus or memory than a whole node has (it could never be placed), and
     * malformed resources or {@code SIM_CRASH_PROBABILITY}. Everything else is accepted, as nothing runs: a
     * {@code command}, a {@code docker_image}, neither, a stateful app.
     */
    @Override
    public void validate(AppSpec spec) {
        requireNonNull(spec, "spec is null");
        SimSpec.of(spec, config);
    }

    @Override
    public void deploy(AppDeployment deployment) {
        requireNonNull(deployment, "deployment is null");
        Release release = Release.of(deployment, config);
        started().deploy(deployment, release);
    }

    @Override
    public void scale(AppRef app, int replicas) {
        requireNonNull(app, "app is null");
        if (replicas < 0) {
            throw PlatformException.invalid(
                    "replicas", "replica count " + replicas + " for app '" + app + "' is negative; give 0 or more");
        }
        if (!started().scale(app, replicas)) {
            throw PlatformException.notFound(
                    "app '" + app + "' is not deployed on the simulated cluster; deploy it before scaling it");
        }
    }

    /** Removes the app at once; its replicas stop over the stop latency. There is no data to keep or delete. */
    @Override
    public void remove(AppRef app, boolean keepData) {
        requireNonNull(app, "app is null");
        started().remove(app);
    }

    @Override
    public AppStatus status(AppRef ref) {
        requireNonNull(ref, "app is null");
        SimCluster running = cluster;
        if (running == null) {
            return AppStatus.absent(ref);
        }
        return running.read(ref, app -> {
            if (app == null) {
                return AppStatus.absent(ref);
            }
            List<InstanceStatus> instances = new ArrayList<>(app.replicas.size());
            String pending = null;
            for (SimReplica replica : app.replicas) {
                if (!replica.placed() && pending == null) {
                    pending = replica.message;
                }
                instances.add(new InstanceStatus(
                        replica.id(),
                        replica.state,
                        replica.placed() ? replicaEndpoint(replica) : null,
                        OptionalLong.empty(),
                        replica.restarts,
                        Instant.ofEpochMilli(replica.sinceMillis),
                        message(replica),
                        replica.outdated()));
            }
            return new AppStatus(ref, true, app.desired, instances, pending);
        });
    }

    @Override
    public Set<AppRef> apps() {
        SimCluster running = cluster;
        return running == null ? Set.of() : running.apps();
    }

    @Override
    public void watch(ClusterListener listener) {
        events.watch(listener);
    }

    /** {@code http://sim.invalid/<owner>/<app>} while the app is deployed: a name, which nothing answers. */
    @Override
    public Optional<URI> endpoint(AppRef app) {
        requireNonNull(app, "app is null");
        SimCluster running = cluster;
        if (running == null || !running.read(app, deployed -> deployed != null)) {
            return Optional.empty();
        }
        return Optional.of(uri(DOMAIN, "/" + app.owner() + "/" + app.name()));
    }

    /**
     * Two lines per replica, made from what the simulation knows of it (nothing writes any): where it is placed, and
     * its state.
     */
    @Override
    public List<LogLine> logs(AppRef ref, int tail) {
        requireNonNull(ref, "app is null");
        if (tail < 0) {
            throw PlatformException.invalid("tail", "tail " + tail + " is negative; ask for 0 or more lines");
        }
        List<LogLine> lines = started().read(ref, app -> {
            if (app == null) {
                return null;
            }
            List<LogLine> all = new ArrayList<>();
            for (SimReplica replica : app.replicas) {
                String id = replica.id();
                List<String> own = List.of(
                        replica.placed()
                                ? "simulated replica " + id + " placed on " + replica.node.name() + ", taking "
                                        + replica.release.sim().demand()
                                : "simulated replica " + id + " is waiting for room",
                        replica.state + " since " + Instant.ofEpochMilli(replica.sinceMillis)
                                + Optional.ofNullable(message(replica))
                                        .map(text -> ": " + text)
                                        .orElse(""));
                own.subList(Math.max(0, own.size() - tail), own.size()).forEach(line -> all.add(new LogLine(id, line)));
            }
            return all;
        });
        if (lines == null) {
            throw PlatformException.notFound("app '" + ref
                    + "' is not deployed on the simulated cluster, so it has no logs; check the app's name");
        }
        return lines;
    }

    @Override
    public Health check() {
        synchronized (lock) {
            return switch (lifecycle) {
                case NEW -> Health.unhealthy("simulated cluster not started");
                case STARTED -> Health.healthy("simulated cluster: " + cluster.summary());
                case CLOSED -> Health.unhealthy("simulated cluster closed");
            };
        }
    }

    /** Ends the simulation: its replicas vanish with it, and no listener hears of them again. */
    @Override
    public void close() {
        synchronized (lock) {
            if (lifecycle == Lifecycle.STARTED) {
                cluster.close();
                scheduler.shutdownNow();
                log.info("simulated cluster closed");
            }
            lifecycle = Lifecycle.CLOSED;
        }
    }

    /**
     * The CPU time the scheduler thread has used, in nanoseconds, read on that thread once what was queued before has
     * run: for the scale test's figures.
     */
    long schedulerCpuNanos() throws InterruptedException, ExecutionException {
        return scheduler
                .submit(() -> ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime())
                .get();
    }

    private SimCluster started() {
        synchronized (lock) {
            if (lifecycle != Lifecycle.STARTED) {
                throw new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        lifecycle == Lifecycle.NEW
                                ? "the simulated cluster is not started yet; try again in a moment"
                                : "the simulated cluster is closed; the server is shutting down");
            }
            return cluster;
        }
    }

    /** What a replica's state does not say by itself; null for a ready one. */
    private static String message(SimReplica replica) {
        if (replica.message != null) {
            return replica.message;
        }
        return switch (replica.state) {
            case STARTING -> "starting on " + replica.node.name();
            case STOPPING -> "stopping on " + replica.node.name();
            default -> null;
        };
    }

    private static URI replicaEndpoint(SimReplica replica) {
        return uri(
                replica.node.name() + "." + DOMAIN,
                "/" + replica.app.ref.owner() + "/" + replica.app.ref.name() + "/" + replica.id());
    }

    private static URI uri(String host, String path) {
        try {
            return new URI("http", host, path, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("not a URI: http://" + host + path, e);
        }
    }
}
