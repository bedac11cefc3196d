package emp.scheduler.tracegraph;

import static emp.scheduler.tracegraph.Figures.number;

import emp.spi.AppRef;
import emp.spi.cluster.LoadFigures;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.EdgeMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an app the cluster measures is asked to carry: the requests that arrive at it, and those that would arrive if
 * its callers did not hold them back.
 *
 * <p>A caller waiting on a saturated app fills its own concurrency limit with requests that wait on it, so the
 * callee sees only what that limit lets through: the rest of the demand waits in the caller's line in the gateway,
 * or arrives at the caller at all. So the demand of an app is the larger of what arrives at it and what its callers'
 * demand sends it, calls per request (from the span edges: calls to it per second over the caller's requests per
 * second, both measured on the same traces) times each caller's demand, summed over its callers, and so on up the call
 * graph. The backlog, the requests already waiting, is summed the same way: the callee's own line plus its share of
 * each caller's line, which has not reached it yet. Nothing is counted twice: a caller's queued requests have not been
 * sent, and its sent requests are the callee's arrivals, which the larger of the two takes once. Only callers of the
 * callee's own owner count: a tenant's spans (its calls per request) do not steer another tenant's scaling.
 *
 * @param arrivals per second: the app's own over the newest second or the last {@link DemandSizing#FAST}, whichever
 *                 is busier, or its callers' sent its way, when that is more
 * @param backlog  requests waiting: its own, and its share of its callers'
 * @param own      what arrives at the app itself, per second
 * @param through  the callers whose demand {@code arrivals} is, with their figures; empty when it is the app's own
 */
record Demand(double arrivals, double backlog, double own, List<Share> through) {
    /** A caller's part of an app's demand. */
    record Share(AppRef caller, double callsPerRequest, double arrivals) {}

    /** The requests per second that carry the arrivals and clear the backlog within {@code clearSeconds}. */
    double rate(double clearSeconds) {
        return arrivals + backlog / clearSeconds;
    }

    /**
     * The demand of every app in {@code apps} that has load figures. Demand flows along simple paths: in a cycle of
     * calls, an app's demand does not count itself again. Each app's demand is worked out once where its callers form
     * no cycle (walking the graph up from every app afresh would take time exponential in its depth); in a cycle, a
     * caller's figure that left out an app on the walk is worked out again for the next, up to {@link #MAX_VISITS}
     * visits in all, after which what is left counts its own arrivals only.
     */
    static Map<AppRef, Demand> of(Map<AppRef, AppView> apps) {
        Walk walk = new Walk(apps);
        Map<AppRef, Demand> demands = new HashMap<>();
        for (AppView app : apps.values()) {
            if (app.load().isPresent()) {
                demands.put(app.app(), walk.demand(app).demand());
            }
        }
        return demands;
    }

    /** The most apps one {@link #of} visits on its walks up the call graph: a bound on a cyclic graph's cost. */
    static final int MAX_VISITS = 100_000;

    /** One tick's walks up the call graph, sharing what they have worked out. */
    private static final class Walk {
        private final Map<AppRef, AppView> apps;
        /** Per callee, its callers with load figures and their calls to it per request of theirs. */
        private final Map<AppRef, Map<AppRef, Double>> callers = new HashMap<>();
        /** The demands that left no app out, so that they hold for any walk. */
        private final Map<AppRef, Demand> known = new HashMap<>();

        private final Set<AppRef> walking = new HashSet<>();
        private int visits;

        Walk(Map<AppRef, AppView> apps) {
            this.apps = apps;
            for (AppView caller : apps.values()) {
                double requests = caller.metrics().rate();
                if (caller.load().isEmpty() || !(requests > 0) || !Double.isFinite(requests)) {
                    continue;
                }
                for (EdgeMetrics edge : caller.edges()) {
                    // A caller's spans speak for its owner's apps only: no tenant's spans steer another's scaling.
                    if (!edge.to().equals(caller.app())
                            && edge.to().owner().equals(caller.app().owner())
                            && edge.rate() > 0
                            && Double.isFinite(edge.rate())) {
                        callers.computeIfAbsent(
                                        edge.to(), callee -> new TreeMap<>(Comparator.comparing(AppRef::toString)))
                                .merge(caller.app(), edge.rate() / requests, Double::sum);
                    }
                }
            }
        }

        /** The app's demand, and whether it left out an app on the walk (a cycle back to it). */
        Partial demand(AppView app) {
            Demand done = known.get(app.app());
            if (done != null) {
                return new Partial(done, false);
            }
            LoadFigures load = app.load().orElseThrow();
            double own = Math.max(load.arrivalRate(1), load.arrivalRate(DemandSizing.FAST));
            boolean leftOut = false;
            List<Share> shares = new ArrayList<>();
            double sent = 0;
            double backlog = load.queued();
            walking.add(app.app());
            for (Map.Entry<AppRef, Double> caller :
                    callers.getOrDefault(app.app(), Map.of()).entrySet()) {
                if (walking.contains(caller.getKey()) || ++visits > MAX_VISITS) {
                    // A cycle back to an app on this walk, whose demand is what is being worked out; or out of visits.
                    leftOut = true;
                    continue;
                }
                Partial above = demand(apps.get(caller.getKey()));
                leftOut |= above.leftOut();
                double callsPerRequest = caller.getValue();
                sent += callsPerRequest * above.demand().arrivals();
                backlog += callsPerRequest * above.demand().backlog();
                shares.add(new Share(
                        caller.getKey(), callsPerRequest, above.demand().arrivals()));
            }
            walking.remove(app.app());
            Demand demand = sent > own
                    ? new Demand(sent, backlog, own, List.copyOf(shares))
                    : new Demand(own, backlog, own, List.of());
            if (!leftOut) {
                known.put(app.app(), demand);
            }
            return new Partial(demand, leftOut);
        }
    }

    private record Partial(Demand demand, boolean leftOut) {}

    /** The arrivals as a reason shows them: {@code 50 rps (29 arrive; playlists's 25 rps x 2 calls each)}. */
    String describe(AppRef reader) {
        StringBuilder text = new StringBuilder(number(arrivals, 1)).append(" rps");
        if (!through.isEmpty()) {
            text.append(" (").append(number(own, 1)).append(" arrive; ");
            for (int i = 0; i < through.size(); i++) {
                Share share = through.get(i);
                text.append(i == 0 ? "" : " + ")
                        .append(
                                share.caller().owner().equals(reader.owner())
                                        ? share.caller().name()
                                        : share.caller())
                        .append("'s ")
                        .append(number(share.arrivals(), 1))
                        .append(" rps x ")
                        .append(number(share.callsPerRequest(), 2))
                        .append(share.callsPerRequest() == 1 ? " call each" : " calls each");
            }
            text.append(")");
        }
        return text.toString();
    }
}
