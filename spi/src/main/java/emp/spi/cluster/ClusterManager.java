package emp.spi.cluster;

import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Runs apps' replicas somewhere: local processes, Kubernetes, Mesos. The host's reconciler is the only caller that
 * changes anything; it holds the desired state and calls these methods until the cluster matches, so every method
 * that changes state must be idempotent and must converge (calling it again after a failure or a restart ends in
 * the same place). Methods may be called from several threads at once. A backend that cannot be reached makes a
 * method throw a {@link emp.spi.PlatformException} of category UNAVAILABLE; it never takes the host down.
 */
public interface ClusterManager extends AutoCloseable {
    /**
     * Starts background work (connections, watchers, the gateway) and takes back what an earlier run of this
     * manager left running, so replicas that outlived a crashed server are adopted rather than doubled.
     */
    void start();

    /**
     * Checks, before anything is stored, that this cluster can run the spec.
     *
     * @throws emp.spi.PlatformException of category UNSUPPORTED naming the field, e.g. a spec with only
     *                                   {@code docker_image} on a cluster that runs commands
     */
    void validate(AppSpec spec);

    /**
     * Refuses a change now when the cluster cannot take it: called before a change of what runs (deploy, scale, stop,
     * start, remove) is stored, so that the person asking hears at once that it would wait, rather than finding it
     * applied later. Answered from memory. The default accepts every change: a cluster whose changes the reconciler
     * applies whenever it can need not refuse them.
     *
     * @throws emp.spi.PlatformException of category UNAVAILABLE naming the setting to check, e.g. a Mesos master that
     *                                   has not answered for a while
     * @since 0.3
     */
    default void requireAvailable() {}

    /**
     * Makes the cluster run {@code deployment}: creates the app when it is new, rolls its replicas when the spec
     * changed, scales when only the count changed, and does nothing when it already matches.
     */
    void deploy(AppDeployment deployment);

    /** Sets the app's replica count; zero keeps the app's definition (and data) but runs nothing. */
    void scale(AppRef app, int replicas);

    /**
     * Removes the app's replicas and definition.
     *
     * @param keepData keep the app's persistent data (volumes) for a later deploy; false deletes it too
     */
    void remove(AppRef app, boolean keepData);

    /** What the cluster runs for the app now; {@link AppStatus#absent} when it runs nothing under that name. */
    AppStatus status(AppRef app);

    /** Every app this cluster runs for EMP, so the reconciler can remove those the store no longer holds. */
    Set<AppRef> apps();

    /**
     * Registers a listener for changes of replicas (ready, crashed, restarting...). Listeners are called from the
     * manager's own threads and must not block.
     */
    void watch(ClusterListener listener);

    /** The URL end users call to reach the app, when the cluster exposes it. */
    Optional<URI> endpoint(AppRef app);

    /**
     * The URL replicas of other apps use to call {@code app}: what {@code <DEP>_URL} is set to. Defaults to the
     * end-user endpoint.
     *
     * @deprecated the host never calls it: each cluster sets {@code <DEP>_URL} itself; removed in 0.5.0 (a cluster
     *     may keep the method as its own)
     */
    @Deprecated(since = "0.4.2", forRemoval = true)
    default Optional<URI> internalEndpoint(AppRef app) {
        return endpoint(app);
    }

    /** Where end users reach apps in general (the gateway's base URL), for the server's start-up banner. */
    default Optional<URI> entryPoint() {
        return Optional.empty();
    }

    /**
     * The replicas that another server of the control plane runs, as the store last recorded them, for the apps this
     * server runs none of; each call replaces what the one before said. Several servers share one store, and only the
     * one that leads drives the cluster. A manager whose replicas only its own server drives (the local cluster, whose
     * gateway runs in this process) routes its entry point to these, so that every server's gateway serves every app,
     * and {@link #endpoint} answers for them; replicas it still runs itself of these apps (it led before) it stops,
     * keeping their data. A manager whose replicas every server reaches through the cluster itself ignores the call,
     * as the default does.
     *
     * @since 0.2
     */
    default void runningElsewhere(Map<AppRef, List<InstanceStatus>> instances) {}

    /**
     * Tells the manager whether its server leads the control plane now: called when that changes, the first time before
     * the host's first pass over the apps. Only the leader changes the cluster, so most managers ignore this, as the
     * default does. A manager that holds what only one client may hold at a time (a Mesos framework's subscription: a
     * second one takes it from the first) holds it only while its server leads, and gives it up when told it no longer
     * does. Until told either way, a manager acts for whoever calls it, so that it works without a host.
     *
     * @since 0.3
     */
    default void leading(boolean leads) {}

    /**
     * The app's load as this cluster's request path measures it, every second: arrivals (demand), completions, requests
     * in flight and queued. A cluster that queues requests in front of replicas (the local cluster's gateway) knows
     * these exactly; one that does not, as the default, answers empty, and schedulers go by spans alone. Answered from
     * memory; called once per app per scaling tick.
     *
     * @since 0.1
     */
    default Optional<LoadFigures> load(AppRef app) {
        return Optional.empty();
    }

    /**
     * The last lines each replica wrote to its standard output and error, oldest first. Not abstract since 0.4.2: a
     * cluster that keeps no logs need not write it.
     *
     * @param tail the most lines to return per replica
     * @throws emp.spi.PlatformException of category UNSUPPORTED when the cluster keeps no logs (the default)
     */
    default List<LogLine> logs(AppRef app, int tail) {
        throw PlatformException.unsupported(
                null, "this cluster keeps no logs of the replicas of app '" + app + "'; read them where it runs them");
    }

    /**
     * The bytes the app's replicas' logs take where this cluster keeps them itself (the local cluster's files); empty
     * where something else keeps them (Kubernetes' nodes). Not abstract, as added later.
     *
     * @since 0.1
     */
    default OptionalLong logBytes(AppRef app) {
        return OptionalLong.empty();
    }

    /** A cheap check of the backend, without throwing. */
    Health check();

    /**
     * Releases what this manager holds. A manager whose replicas live only as long as this process (the local
     * cluster) stops them; one whose replicas live in an outside cluster leaves them running.
     */
    @Override
    void close();
}
