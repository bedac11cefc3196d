package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
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
 *
 * <p>A span sent twice (a Kafka message read again after a broker restart) counts once. The work is linear in the
 * trace's size plus a sort, whatever its shape: spans are held by their place in the trace (arrays of indexes, not
 * maps keyed by spans), a long trace's parents are found through an index of ids, and the walks down the tree keep
 * their own stacks, so no trace a tenant sends (100,000 spans, a chain as deep) can stall or crash the analysis.
 */
public final class TraceAnalysis {
    /** The service name of the spans the local gateway records. */
    public static final String GATEWAY = "emp-gateway";

    /** Up to this many spans, a span's parent is found by scanning the trace; beyond, through an index of ids. */
    private static final int SCAN_LIMIT = 32;

    private static final int NONE = -1;

    private final Span[] spans;
    private final int size;
    private final ServiceApps apps;
    /** The app of each span's local service, null when it is none of the platform's (or the gateway). */
    private final AppRef[] local;
    /** The app each span measures a request of, null when it measures none. */
    private final AppRef[] measured;
    /** The children of each span, in trace order: the first, and each one's next sibling. */
    private final int[] firstChild;

    private final int[] lastChild;
    private final int[] nextSibling;
    /**
     * The ids of a long trace: each id's first span, and each span's next span with the same id (-1 after the last);
     * null for a short trace, which is scanned.
     */
    private final Map<String, Integer> firstById;

    private final int[] nextSameId;

    private TraceAnalysis(Span[] spans, ServiceApps apps) {
        this.spans = spans;
        this.size = spans.length;
        this.apps = apps;
        this.local = new AppRef[size];
        this.measured = new AppRef[size];
        this.firstChild = new int[size];
        this.lastChild = new int[size];
        this.nextSibling = new int[size];
        Arrays.fill(firstChild, NONE);
        Arrays.fill(lastChild, NONE);
        Arrays.fill(nextSibling, NONE);
        this.firstById = size > SCAN_LIMIT ? new HashMap<>(size * 2) : null;
        this.nextSameId = size > SCAN_LIMIT ? new int[size] : null;
        if (firstById != null) {
            // From the last span back, so that each id's chain runs in trace order.
            for (int k = size - 1; k >= 0; k--) {
                Integer following = firstById.put(spans[k].id(), k);
                nextSameId[k] = following == null ? NONE : following;
            }
        }
    }

    /**
     * @param trace    every span of one trace
     * @param knownApp which service names belong to apps of the platform
     */
    public static TraceResult analyse(List<Span> trace, Predicate<AppRef> knownApp) {
        return analyse(trace, new ServiceApps(knownApp));
    }

    /**
     * @param trace every span of one trace
     * @param apps  which app of the platform each service name is
     */
    static TraceResult analyse(List<Span> trace, ServiceApps apps) {
        return new TraceAnalysis(withoutDuplicates(trace), apps).run();
    }

    private TraceResult run() {
        long ignored = 0;
        for (int i = 0; i < size; i++) {
            if (!isGateway(i)) {
                local[i] = app(spans[i].localService());
                if (local[i] == null) {
                    ignored++;
                }
            }
        }
        for (int i = 0; i < size; i++) {
            int parent = parentOf(i);
            if (parent != NONE) {
                if (firstChild[parent] == NONE) {
                    firstChild[parent] = i;
                } else {
                    nextSibling[lastChild[parent]] = i;
                }
                lastChild[parent] = i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (spans[i].kind() == Span.Kind.SERVER && local[i] != null) {
                measured[i] = local[i];
            }
        }
        for (int i = 0; i < size; i++) {
            if (isGateway(i)) {
                AppRef app = app(spans[i].remoteService());
                if (app != null && !servedBelow(i, app)) {
                    measured[i] = app;
                }
            }
        }
        List<AppSample> appSamples = new ArrayList<>();
        List<EdgeSample> edges = new ArrayList<>();
        Calls calls = new Calls();
        for (int request = 0; request < size; request++) {
            AppRef app = measured[request];
            if (app == null) {
                continue;
            }
            Span span = spans[request];
            collectCalls(request, calls);
            for (int c = 0; c < calls.count; c++) {
                Span call = spans[calls.index[c]];
                AppRef callee = callee(calls.index[c]);
                if (callee != null) {
                    edges.add(
                            new EdgeSample(app, callee, call.timestampMicros(), call.durationMicros(), call.isError()));
                }
            }
            long waited = calls.covered(span.timestampMicros(), span.timestampMicros() + span.durationMicros());
            appSamples.add(new AppSample(
                    app,
                    span.timestampMicros(),
                    span.durationMicros(),
                    Math.max(0, span.durationMicros() - waited),
                    span.isError()));
        }
        return new TraceResult(appSamples, edges, ignored);
    }

    /** Whether a SERVER span of {@code app} hangs directly below a gateway span (the app measures itself). */
    private boolean servedBelow(int gateway, AppRef app) {
        for (int child = firstChild[gateway]; child != NONE; child = nextSibling[child]) {
            if (spans[child].kind() == Span.Kind.SERVER && app.equals(local[child])) {
                return true;
            }
        }
        return false;
    }

    /**
     * The calls a request made: below it, each call or measured request ends a branch, and the request's own service's
     * other spans are looked through.
     */
    private void collectCalls(int request, Calls calls) {
        calls.clear();
        int[] stack = new int[8];
        int top = 0;
        stack[top++] = request;
        while (top > 0) {
            int node = stack[--top];
            for (int child = firstChild[node]; child != NONE; child = nextSibling[child]) {
                if (isCallFrom(request, child) || measured[child] != null) {
                    calls.add(child, spans[child]);
                } else if (sameService(request, child)) {
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, top * 2);
                    }
                    stack[top++] = child;
                }
            }
        }
    }

    private boolean isCallFrom(int request, int span) {
        return (spans[span].kind() == Span.Kind.CLIENT && sameService(request, span)) || isGateway(span);
    }

    private boolean sameService(int a, int b) {
        String service = spans[a].localService();
        return service != null && service.equals(spans[b].localService());
    }

    /** The app a call reached: the first measured request below it (earliest start first), else its remote service. */
    private AppRef callee(int call) {
        if (measured[call] != null) {
            return measured[call];
        }
        if (firstChild[call] != NONE) {
            PriorityQueue<Integer> frontier =
                    new PriorityQueue<>((a, b) -> Long.compare(spans[a].timestampMicros(), spans[b].timestampMicros()));
            addChildren(call, frontier);
            while (!frontier.isEmpty()) {
                int next = frontier.poll();
                if (measured[next] != null) {
                    return measured[next];
                }
                addChildren(next, frontier);
            }
        }
        return app(spans[call].remoteService());
    }

    private void addChildren(int span, PriorityQueue<Integer> frontier) {
        for (int child = firstChild[span]; child != NONE; child = nextSibling[child]) {
            frontier.add(child);
        }
    }

    /**
     * The span a span hangs below. A shared (joined) SERVER span hangs below the span whose id it reuses; otherwise
     * the parent id decides, preferring a span of the same service when a client and a joined server share that id.
     */
    private int parentOf(int i) {
        Span span = spans[i];
        if (span.shared()) {
            for (int other = nextWithId(span.id(), NONE); other != NONE; other = nextWithId(span.id(), other)) {
                if (other != i && !spans[other].shared()) {
                    return other;
                }
            }
        }
        if (span.parentId() == null) {
            return NONE;
        }
        int best = NONE;
        String parentId = span.parentId();
        for (int other = nextWithId(parentId, NONE); other != NONE; other = nextWithId(parentId, other)) {
            if (other != i && (best == NONE || sameService(other, i))) {
                best = other;
            }
        }
        return best;
    }

    /** The next span after {@code after} (from the first when it is -1) with this id, in trace order; -1 when none. */
    private int nextWithId(String id, int after) {
        if (firstById != null) {
            return after == NONE ? firstById.getOrDefault(id, NONE) : nextSameId[after];
        }
        for (int other = after + 1; other < size; other++) {
            if (spans[other].id().equals(id)) {
                return other;
            }
        }
        return NONE;
    }

    private boolean isGateway(int span) {
        return GATEWAY.equals(spans[span].localService());
    }

    private AppRef app(String serviceName) {
        return serviceName == null ? null : apps.apply(serviceName);
    }

    /**
     * The trace with each span once: a span is the same as an earlier one when id, kind, sharing and service are, as
     * Zipkin tells copies of one span apart.
     */
    private static Span[] withoutDuplicates(List<Span> trace) {
        Span[] spans = trace.toArray(new Span[0]);
        if (spans.length < 2) {
            return spans;
        }
        Map<SpanKey, Boolean> seen = spans.length > SCAN_LIMIT ? new HashMap<>(spans.length * 2) : null;
        int kept = 0;
        for (int i = 0; i < spans.length; i++) {
            Span span = spans[i];
            boolean copy = false;
            if (seen != null) {
                copy = seen.putIfAbsent(SpanKey.of(span), Boolean.TRUE) != null;
            } else {
                for (int j = 0; j < kept && !copy; j++) {
                    copy = SpanKey.same(spans[j], span);
                }
            }
            if (!copy) {
                spans[kept++] = span;
            }
        }
        return kept == spans.length ? spans : Arrays.copyOf(spans, kept);
    }

    /** What tells one span from another in a trace. */
    private record SpanKey(String id, Span.Kind kind, boolean shared, String service) {
        static SpanKey of(Span span) {
            return new SpanKey(span.id(), span.kind(), span.shared(), span.localService());
        }

        static boolean same(Span a, Span b) {
            return a.id().equals(b.id())
                    && a.kind() == b.kind()
                    && a.shared() == b.shared()
                    && Objects.equals(a.localService(), b.localService());
        }
    }

    /** The calls of one request at a time, as indexes and intervals in growing primitive arrays, reused. */
    private static final class Calls {
        int[] index = new int[8];
        long[] starts = new long[8];
        long[] ends = new long[8];
        int count;

        void clear() {
            count = 0;
        }

        void add(int span, Span call) {
            if (count == index.length) {
                index = Arrays.copyOf(index, count * 2);
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            index[count] = span;
            starts[count] = call.timestampMicros();
            ends[count] = call.timestampMicros() + call.durationMicros();
            count++;
        }

        long covered(long from, long to) {
            return TraceAnalysis.covered(starts, ends, count, from, to);
        }
    }

    /**
     * How much of [from, to) the first {@code count} intervals [starts[i], ends[i]) cover, each overlap counted once.
     * Sorts the intervals it is given, in place, by start.
     */
    static long covered(long[] starts, long[] ends, int count, long from, long to) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            long start = Math.max(from, starts[i]);
            long end = Math.min(to, ends[i]);
            if (end > start) {
                starts[kept] = start;
                ends[kept] = end;
                kept++;
            }
        }
        sortByStart(starts, ends, kept);
        long total = 0;
        long reach = Long.MIN_VALUE;
        for (int i = 0; i < kept; i++) {
            if (ends[i] <= reach) {
                continue;
            }
            total += ends[i] - Math.max(starts[i], reach);
            reach = ends[i];
        }
        return total;
    }

    /** An insertion sort of the pairs by start: a request makes few calls; many, and it is still only theirs. */
    private static void sortByStart(long[] starts, long[] ends, int count) {
        if (count > SCAN_LIMIT) {
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(starts[a], starts[b]));
            long[] sortedStarts = new long[count];
            long[] sortedEnds = new long[count];
            for (int i = 0; i < count; i++) {
                sortedStarts[i] = starts[order[i]];
                sortedEnds[i] = ends[order[i]];
            }
            System.arraycopy(sortedStarts, 0, starts, 0, count);
            System.arraycopy(sortedEnds, 0, ends, 0, count);
            return;
        }
        for (int i = 1; i < count; i++) {
            long start = starts[i];
            long end = ends[i];
            int j = i - 1;
            while (j >= 0 && starts[j] > start) {
                starts[j + 1] = starts[j];
                ends[j + 1] = ends[j];
                j--;
            }
            starts[j + 1] = start;
            ends[j + 1] = end;
        }
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
