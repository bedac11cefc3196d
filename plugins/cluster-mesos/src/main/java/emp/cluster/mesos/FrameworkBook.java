package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.GatewayRoutes;
import emp.spi.AppRef;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The book of what EMP's framework knows: each app and what it should run, the tasks, the agents' URLs, the
 * framework's id and since when the master has been out of reach, with the queries the decisions are made of, and the
 * gateway's routes, which follow the tasks ready. All of it is guarded by the one {@link #lock}: every field is read
 * and written, and every method called, with it held, but {@link #frameworkIdNow}, which takes it. What survives a
 * restart is kept by the {@link FrameworkMemory}; the book takes it in on {@link #load}.
 */
final class FrameworkBook {
    private static final Logger log = LoggerFactory.getLogger(FrameworkBook.class);

    /** The one lock of the framework's state. */
    final Object lock = new Object();

    final Map<AppRef, MesosApp> apps = new HashMap<>();
    final Map<String, MesosTask> tasks = new LinkedHashMap<>();
    /** Each agent's base URL, {@code http://host:5051}, for its files. */
    final Map<String, URI> agents = new HashMap<>();

    FrameworkID frameworkId;
    /** Since when the master has been out of reach; null before the first attempt and while subscribed. */
    Instant unsubscribedSince;

    private final FrameworkMemory memory;
    private final GatewayRoutes routes;
    private boolean loaded;

    FrameworkBook(FrameworkMemory memory, GatewayRoutes routes) {
        this.memory = requireNonNull(memory, "memory is null");
        this.routes = requireNonNull(routes, "routes is null");
    }

    /**
     * Takes in what an earlier server kept, unless already taken in since the last {@link #forget}.
     *
     * @throws emp.spi.PlatformException of category UNAVAILABLE when the state store cannot be read
     */
    void load() {
        if (loaded) {
            return;
        }
        FrameworkMemory.Recalled recalled = memory.recall();
        recalled.frameworkId().ifPresent(id -> frameworkId = id);
        recalled.tasks().forEach(tasks::putIfAbsent);
        agents.putAll(recalled.agents());
        if (frameworkId != null) {
            log.info("failing over to Mesos framework '{}' with {} task(s) kept", frameworkId.getValue(), tasks.size());
        }
        loaded = true;
    }

    /** Forgets the apps, the tasks and their routes: another server drives the framework now. */
    void forget() {
        apps.clear();
        tasks.clear();
        loaded = false;
        routes.clear();
    }

    /** Forgets the app and its route; its tasks are left for the decider to kill. */
    void removeApp(AppRef ref) {
        apps.remove(ref);
        routes.remove(ref);
    }

    /** The app's tasks of its current revision that run or are starting, and that EMP did not ask to kill. */
    List<MesosTask> current(MesosApp app) {
        List<MesosTask> current = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app.ref) && task.revision.equals(app.revision) && !task.killRequested) {
                current.add(task);
            }
        }
        return current;
    }

    /** The app's tasks of an older revision that EMP did not ask to kill: a rollout replaces them. */
    List<MesosTask> outdated(MesosApp app) {
        List<MesosTask> outdated = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app.ref) && !task.revision.equals(app.revision) && !task.killRequested) {
                outdated.add(task);
            }
        }
        return outdated;
    }

    List<MesosTask> tasksOf(AppRef ref) {
        List<MesosTask> own = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(ref)) {
                own.add(task);
            }
        }
        return own;
    }

    /** How many of the app's tasks run (or start) on the agent. */
    int running(AppRef app, String agentId) {
        int count = 0;
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app) && task.agentId.equals(agentId) && !task.terminal()) {
                count++;
            }
        }
        return count;
    }

    /** Routes the gateway to the app's tasks that are ready and that EMP did not ask to kill. */
    void updateRoute(MesosApp app) {
        List<Backend> ready = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app.ref) && task.ready() && !task.killRequested) {
                ready.add(new Backend(task.id, new InetSocketAddress(task.host, task.hostPort)));
            }
        }
        routes.put(app.ref, app.route(ready));
    }

    /** Notes the offering agent's URL, and keeps it when it is new. */
    void rememberAgent(Offer offer) {
        String agentId = offer.getAgentId().getValue();
        URI url = agentUrl(offer);
        if (url != null && !url.equals(agents.get(agentId))) {
            agents.put(agentId, url);
            memory.agent(agentId, url);
        }
    }

    /** The framework's id now, or null; takes the lock itself. */
    FrameworkID frameworkIdNow() {
        synchronized (lock) {
            return frameworkId;
        }
    }

    /** The agent's HTTP address from the offer's {@code url}; null when the master gave none. */
    static URI agentUrl(Offer offer) {
        if (!offer.hasUrl() || !offer.getUrl().hasAddress()) {
            return null;
        }
        var address = offer.getUrl().getAddress();
        String host = address.hasIp() ? address.getIp() : address.getHostname();
        String scheme =
                offer.getUrl().getScheme().isEmpty() ? "http" : offer.getUrl().getScheme();
        String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + literal + ":" + address.getPort());
    }
}
