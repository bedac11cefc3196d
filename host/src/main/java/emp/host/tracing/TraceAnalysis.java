package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads one complete trace into what the platform measures: a sample per request an app served (with its self time)
 * and a sample per call between apps. Pure, so it can be checked on hand-built traces.
 *
 * <p>An app's request is measured by its own SERVER span; when the app is not instrumented, by the SERVER span the
 * gateway recorded for it ({@value #GATEWAY}, with the app as remote service). Under a measured request, the calls to
 * other apps are the nearest CLIENT spans of the same service, or the nearest gateway spans (an app that only forwards
 * trace headers is called through the gateway); the callee is the first measured request below the call. Self time
 * is the request's duration minus the union of its calls' intervals, so overlapping parallel calls count once.
 */
public final class TraceAnalysis {
    /** The service name of the spans the local gateway records. */
    public static final String GATEWAY = "emp-gateway";

    private final List<Span> spans;
    private final Predicate<AppRef> knownApp;
    private final Map<Span, List<Span>> children = new HashMap<>();
    private final Map<Span, AppRef> measured = new HashMap<>();

    private TraceAnalysis(List<Span> spans, Predicate<AppRef> knownApp) {
        this.spans = spans;
        this.knownApp = knownApp;
    }

    /**
     * @param trace    every span of one trace
     * @param knownApp which service names belong to apps of the platform
     */
    public static TraceResult analyse(List<Span> trace, Predicate<AppRef> knownApp) {
        return new TraceAnalysis(trace, knownApp).run();
    }

    private TraceResult run() {
        for (Span span : spans) {
            parentOf(span)
                    .ifPresent(parent -> children.computeIfAbsent(parent, p -> new ArrayList<>())
                            .add(span));
        }
        for (Span span : spans) {
            if (span.kind() == Span.Kind.SERVER) {
                app(span.localService()).ifPresent(app -> measured.put(span, app));
            }
        }
        for (Span span : spans) {
            if (isGateway(span)) {
                Optional<AppRef> app = app(span.remoteService());
                if (app.isPresent() && !servedBelow(span, app.get())) {
                    measured.put(span, app.get());
                }
            }
        }
        List<AppSample> apps = new ArrayList<>();
        List<EdgeSample> edges = new ArrayList<>();
        for (Map.Entry<Span, AppRef> entry : measured.entrySet()) {
            Span request = entry.getKey();
            AppRef app = entry.getValue();
            List<Span> calls = new ArrayList<>();
            collectCalls(request, request, calls);
            List<long[]> waits = new ArrayList<>();
            for (Span call : calls) {
                waits.add(new long[] {call.timestampMicros(), call.timestampMicros() + call.durationMicros()});
                callee(call)
                        .ifPresent(callee -> edges.add(new EdgeSample(
                                app, callee, call.timestampMicros(), call.durationMicros(), call.isError())));
            }
            long waited =
                    covered(waits, request.timestampMicros(), request.timestampMicros() + request.durationMicros());
            apps.add(new AppSample(
                    app,
                    request.timestampMicros(),
                    request.durationMicros(),
                    Math.max(0, request.durationMicros() - waited),
                    request.isError()));
        }
        long ignored = spans.stream()
                .filter(span -> !isGateway(span) && app(span.localService()).isEmpty())
                .count();
        return new TraceResult(apps, edges, ignored);
    }

    /** Whether a SERVER span of {@code app} hangs directly below a gateway span (the app measures itself). */
    private boolean servedBelow(Span gateway, AppRef app) {
        for (Span child : children.getOrDefault(gateway, List.of())) {
            if (child.kind() == Span.Kind.SERVER
                    && app(child.localService()).filter(app::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private void collectCalls(Span request, Span node, List<Span> calls) {
        for (Span child : children.getOrDefault(node, List.of())) {
            if (isCallFrom(request, child) || measured.containsKey(child)) {
                calls.add(child);
            } else if (sameService(request, child)) {
                collectCalls(request, child, calls);
            }
        }
    }

    private boolean isCallFrom(Span request, Span span) {
        return (span.kind() == Span.Kind.CLIENT && sameService(request, span)) || isGateway(span);
    }

    private static boolean sameService(Span a, Span b) {
        return a.localService() != null && a.localService().equals(b.localService());
    }

    /** The app a call reached: the first measured request below it, else the call's remote service. */
    private Optional<AppRef> callee(Span call) {
        if (measured.containsKey(call)) {
            return Optional.of(measured.get(call));
        }
        List<Span> frontier = new ArrayList<>(children.getOrDefault(call, List.of()));
        while (!frontier.isEmpty()) {
            frontier.sort(Comparator.comparingLong(Span::timestampMicros));
            Span next = frontier.remove(0);
            if (measured.containsKey(next)) {
                return Optional.of(measured.get(next));
            }
            frontier.addAll(children.getOrDefault(next, List.of()));
        }
        return app(call.remoteService());
    }

    /**
     * The span a span hangs below. A shared (joined) SERVER span hangs below the span whose id it reuses; otherwise
     * the parent id decides, preferring a span of the same service when a client and a joined server share that id.
     */
    private Optional<Span> parentOf(Span span) {
        if (span.shared()) {
            Optional<Span> joined = spans.stream()
                    .filter(other -> other != span && other.id().equals(span.id()) && !other.shared())
                    .findFirst();
            if (joined.isPresent()) {
                return joined;
            }
        }
        if (span.parentId() == null) {
            return Optional.empty();
        }
        Span best = null;
        for (Span other : spans) {
            if (other != span && other.id().equals(span.parentId())) {
                if (best == null || sameService(other, span)) {
                    best = other;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean isGateway(Span span) {
        return GATEWAY.equals(span.localService());
    }

    private Optional<AppRef> app(String serviceName) {
        if (serviceName == null || serviceName.indexOf('/') <= 0) {
            return Optional.empty();
        }
        try {
            AppRef app = AppRef.parse(serviceName);
            return knownApp.test(app) ? Optional.of(app) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** How much of [from, to) the intervals cover, each overlap counted once. */
    static long covered(List<long[]> intervals, long from, long to) {
        List<long[]> clipped = new ArrayList<>();
        for (long[] interval : intervals) {
            long start = Math.max(from, interval[0]);
            long end = Math.min(to, interval[1]);
            if (end > start) {
                clipped.add(new long[] {start, end});
            }
        }
        clipped.sort(Comparator.comparingLong(interval -> interval[0]));
        long total = 0;
        long reach = Long.MIN_VALUE;
        for (long[] interval : clipped) {
            if (interval[1] <= reach) {
                continue;
            }
            total += interval[1] - Math.max(interval[0], reach);
            reach = interval[1];
        }
        return total;
    }

    /**
     * @param apps    a sample per measured request
     * @param edges   a sample per call between apps
     * @param ignored spans from services that are no app of the platform
     */
    public record TraceResult(List<AppSample> apps, List<EdgeSample> edges, long ignored) {
        public TraceResult {
            apps = List.copyOf(apps);
            edges = List.copyOf(edges);
        }
    }
}
