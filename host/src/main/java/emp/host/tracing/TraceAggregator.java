package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the spans every source delivers into the platform's windows. Spans are grouped by trace; a trace is read
 * ({@link TraceAnalysis}) once no span of it has arrived for {@code settle}, since services report their parts of one
 * trace independently, a second or so apart. Memory is bounded: past {@code maxPendingSpans} the oldest pending traces
 * are read early, never an out-of-memory.
 */
public final class TraceAggregator implements SpanSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceAggregator.class);
    private static final int RECENT_PER_APP = 50;

    private final SpanWindows windows;
    private final Predicate<AppRef> knownApp;
    private final Clock clock;
    private final long settleMillis;
    private final int maxPendingSpans;
    /** Traces still gathering spans, oldest first (access order is insertion order: a trace keeps its place). */
    private final LinkedHashMap<String, PendingTrace> pending = new LinkedHashMap<>();

    private int pendingSpans;
    /** The last traces read through each app, newest last; bounded per app. */
    private final Map<AppRef, ArrayDeque<TraceSummary>> recent = new HashMap<>();

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong forcedEarly = new AtomicLong();
    private final ScheduledExecutorService settler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-trace-settler");
        thread.setDaemon(true);
        return thread;
    });

    public TraceAggregator(
            SpanWindows windows, Predicate<AppRef> knownApp, Clock clock, Duration settle, int maxPendingSpans) {
        this.windows = requireNonNull(windows, "windows is null");
        this.knownApp = requireNonNull(knownApp, "knownApp is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleMillis = settle.toMillis();
        this.maxPendingSpans = maxPendingSpans;
    }

    public void start() {
        long period = Math.max(50, settleMillis / 4);
        settler.scheduleWithFixedDelay(this::settleSafely, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void accept(List<Span> spans) {
        long now = clock.millis();
        List<List<Span>> early = new ArrayList<>();
        synchronized (pending) {
            for (Span span : spans) {
                pending.computeIfAbsent(span.traceId(), id -> new PendingTrace())
                        .add(span, now);
                pendingSpans++;
            }
            while (pendingSpans > maxPendingSpans && !pending.isEmpty()) {
                Iterator<PendingTrace> oldest = pending.values().iterator();
                PendingTrace trace = oldest.next();
                oldest.remove();
                pendingSpans -= trace.spans.size();
                early.add(trace.spans);
                forcedEarly.incrementAndGet();
            }
        }
        received.addAndGet(spans.size());
        early.forEach(this::analyse);
    }

    /** Reads every trace that has settled; visible for tests, which call it instead of waiting. */
    void settle(long nowMillis) {
        List<List<Span>> ready = new ArrayList<>();
        synchronized (pending) {
            for (Iterator<PendingTrace> traces = pending.values().iterator(); traces.hasNext(); ) {
                PendingTrace trace = traces.next();
                if (nowMillis - trace.lastArrival >= settleMillis) {
                    traces.remove();
                    pendingSpans -= trace.spans.size();
                    ready.add(trace.spans);
                }
            }
        }
        ready.forEach(this::analyse);
    }

    private void settleSafely() {
        try {
            settle(clock.millis());
        } catch (RuntimeException e) {
            log.error("reading settled traces failed", e);
        }
    }

    private void analyse(List<Span> trace) {
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, knownApp);
        long nowMicros = clock.millis() * 1000;
        result.apps().forEach(sample -> windows.add(sample, nowMicros));
        if (!result.apps().isEmpty()) {
            TraceSummary summary = TraceSummary.of(trace);
            synchronized (recent) {
                result.apps().stream().map(AppSample::app).distinct().forEach(app -> {
                    ArrayDeque<TraceSummary> traces = recent.computeIfAbsent(app, key -> new ArrayDeque<>());
                    traces.addLast(summary);
                    while (traces.size() > RECENT_PER_APP) {
                        traces.removeFirst();
                    }
                });
            }
        }
        result.edges().forEach(sample -> windows.add(sample, nowMicros));
        ignored.addAndGet(result.ignored());
    }

    /**
     * What a scheduler or {@code emp tracing} reads of one app now: the window that ends {@code settle} ago, since the
     * requests that ended after that are still being waited for.
     */
    public AppFigures figures(AppRef app) {
        long nowMicros = (clock.millis() - settleMillis) * 1000;
        return new AppFigures(windows.app(app, nowMicros), windows.edgesFrom(app, nowMicros));
    }

    /** Counts for {@code /healthz} and the logs: received, ignored (foreign services), read early, too old. */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("spans_received", received.get());
        counters.put("spans_ignored", ignored.get());
        counters.put("traces_read_early", forcedEarly.get());
        counters.put("samples_too_old", windows.tooOld());
        return counters;
    }

    /** The newest {@code limit} traces read through {@code app}, newest first. */
    public List<TraceSummary> recentTraces(AppRef app, int limit) {
        synchronized (recent) {
            List<TraceSummary> traces = new ArrayList<>(recent.getOrDefault(app, new ArrayDeque<>()));
            Collections.reverse(traces);
            return List.copyOf(traces.subList(0, Math.min(limit, traces.size())));
        }
    }

    public void forget(AppRef app) {
        windows.forget(app);
        synchronized (recent) {
            recent.remove(app);
        }
    }

    @Override
    public void close() {
        settler.shutdownNow();
    }

    /** An app's window and its edges, as {@link AppView} holds them. */
    public record AppFigures(WindowMetrics metrics, List<EdgeMetrics> edges) {}

    private static final class PendingTrace {
        final List<Span> spans = new ArrayList<>();
        long lastArrival;

        void add(Span span, long now) {
            spans.add(span);
            lastArrival = now;
        }
    }
}
