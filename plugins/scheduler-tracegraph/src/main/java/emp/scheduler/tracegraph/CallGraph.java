package emp.scheduler.tracegraph;

import emp.spi.AppRef;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.EdgeMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Walks the call graph of a view's apps, as their span edges draw it: who reaches whom, and how much. */
final class CallGraph {
    /** Absorbs floating-point noise in the shares. */
    private static final double EPSILON = 1e-9;

    private CallGraph() {}

    /**
     * The apps {@code root}'s requests reach through the call edges, each with the share of its requests that reach
     * it: along a path, the product of calls per request of each edge (at most 1 each, since calls made one after the
     * other cannot be told from calls made at once), the best path counting. The root reaches itself fully. Only
     * edges to the caller's owner's apps are followed: a tenant's spans do not blame another tenant's apps.
     */
    static Map<AppRef, Double> reach(Map<AppRef, AppView> apps, AppRef root) {
        Map<AppRef, Double> reach = new HashMap<>();
        reach.put(root, 1.0);
        // Shares never grow along a path, so relaxing once per app settles them, cycles included.
        for (int round = 0; round < apps.size(); round++) {
            boolean changed = false;
            for (AppRef from : List.copyOf(reach.keySet())) {
                AppView caller = apps.get(from);
                for (EdgeMetrics edge : caller.edges()) {
                    if (!apps.containsKey(edge.to())
                            || edge.to().equals(from)
                            || !edge.to().owner().equals(from.owner())
                            || !(edge.rate() > 0)) {
                        continue;
                    }
                    double callerRate = caller.metrics().rate();
                    double perRequest = callerRate > 0 ? Math.min(1, edge.rate() / callerRate) : 1;
                    double share = reach.get(from) * perRequest;
                    if (share > reach.getOrDefault(edge.to(), 0.0) + EPSILON) {
                        reach.put(edge.to(), share);
                        changed = true;
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return reach;
    }

    /** Whether one of {@code targets} other than {@code app} lies below {@code app} in the call graph. */
    static boolean anyBelow(Map<AppRef, AppView> apps, AppRef app, Set<AppRef> targets) {
        Set<AppRef> seen = new HashSet<>();
        Deque<AppRef> frontier = new ArrayDeque<>(List.of(app));
        while (!frontier.isEmpty()) {
            AppView caller = apps.get(frontier.removeFirst());
            for (EdgeMetrics edge : caller.edges()) {
                AppRef callee = edge.to();
                if (!apps.containsKey(callee) || callee.equals(app) || !seen.add(callee)) {
                    continue;
                }
                if (targets.contains(callee)) {
                    return true;
                }
                frontier.addLast(callee);
            }
        }
        return false;
    }

    /** Every app above {@code app} in the call graph (whose requests may reach it), by name. */
    static List<AppRef> callersAbove(Map<AppRef, AppView> apps, AppRef app) {
        Map<AppRef, List<AppRef>> callers = new HashMap<>();
        for (AppView caller : apps.values()) {
            for (EdgeMetrics edge : caller.edges()) {
                if (!edge.to().equals(caller.app())) {
                    callers.computeIfAbsent(edge.to(), callee -> new ArrayList<>())
                            .add(caller.app());
                }
            }
        }
        Set<AppRef> above = new HashSet<>();
        Deque<AppRef> frontier = new ArrayDeque<>(List.of(app));
        while (!frontier.isEmpty()) {
            for (AppRef caller : callers.getOrDefault(frontier.removeFirst(), List.of())) {
                if (!caller.equals(app) && apps.containsKey(caller) && above.add(caller)) {
                    frontier.addLast(caller);
                }
            }
        }
        return above.stream().sorted(Comparator.comparing(AppRef::toString)).toList();
    }
}
