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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the spans every source delivers into the platform's windows. Spans are grouped by trace; a trace is read
 * ({@link TraceAnalysis}) once no span of it has arrived for {@code settle}, since services report their parts of one
 * trace independently, a second or so apart.
 *
 * <p>The work is split by trace id over {@code shards} (as many as cores by default), each with its own lock, its
 * own pending traces (their spans in the primitive columns of a {@link PendingSpans}, so that the garbage collector
 * has no object per waiting span to copy) and its own analysing thread, writing into windows that take concurrent
 * writers: so it grows with cores, and a source's threads only hash and append. Memory is bounded: past
 * {@code maxPendingSpans} (shared out among the shards) a shard's oldest pending traces are read early, never an
 * out-of-memory. When analysis falls behind, a {@link TraceSampler} keeps whole traces by id (decided at a trace's
 * first span, for all of them) and weights what it keeps, rather than letting queues drop arbitrary spans;
 * {@link #counters()} says how much it keeps.
 */
public final class TraceAggregator implements SpanSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceAggregator.class);
    private static final int RECENT_PER_APP = 50;

    private final SpanWindows windows;
    private final ServiceApps apps;
    private final Clock clock;
    private final long settleMillis;
    private final long periodMillis;
    private final Shard[] shards;
    private final TraceSampler sampler;
    /** The names and services waiting spans share. */
    private final StringTable strings = new StringTable();
    /**
     * The spans of the last traces read through each app, newest last; bounded per app, each deque guarded by itself.
     * Summarised only when asked for, as almost none ever is.
     */
    private final ConcurrentMap<AppRef, ArrayDeque<List<Span>>> recent = new ConcurrentHashMap<>();

    private final LongAdder received = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder forcedEarly = new LongAdder();
    private final ScheduledThreadPoolExecutor analysts;

    public TraceAggregator(
            SpanWindows windows, Predicate<AppRef> knownApp, Clock clock, Duration settle, int maxPendingSpans) {
        this(
                windows,
                knownApp,
                clock,
                settle,
                maxPendingSpans,
                Runtime.getRuntime().availableProcessors());
    }

    /** @param shards how many analysing threads, each reading the traces whose ids hash to it */
    public TraceAggregator(
            SpanWindows windows,
            Predicate<AppRef> knownApp,
            Clock clock,
            Duration settle,
            int maxPendingSpans,
            int shards) {
        this.windows = requireNonNull(windows, "windows is null");
        this.apps = new ServiceApps(requireNonNull(knownApp, "knownApp is null"));
        this.clock = requireNonNull(clock, "clock is null");
        if (shards < 1) {
            throw new IllegalArgumentException("shards is below 1: " + shards);
        }
        this.settleMillis = settle.toMillis();
        this.periodMillis = Math.max(50, settleMillis / 4);
        // Behind by more than a settle time: the windows would lag twice what they must.
        this.sampler = new TraceSampler(Math.max(1000, settleMillis));
        this.shards = new Shard[shards];
        int perShard = Math.max(1, maxPendingSpans / shards);
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Shard(perShard);
        }
        AtomicInteger number = new AtomicInteger();
        this.analysts = new ScheduledThreadPoolExecutor(shards, runnable -> {
            Thread thread = new Thread(runnable, "emp-trace-analysis-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        for (Shard shard : shards) {
            analysts.scheduleWithFixedDelay(
                    () -> shard.settleSafely(clock.millis()), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void accept(List<Span> spans) {
        long now = clock.millis();
        if (shards.length == 1) {
            shards[0].add(spans, now);
        } else {
            List<List<Span>> split = new ArrayList<>(shards.length);
            for (int i = 0; i < shards.length; i++) {
                split.add(new ArrayList<>());
            }
            for (Span span : spans) {
                split.get(shardOf(TraceSampler.hash(span.traceId()))).add(span);
            }
            for (int i = 0; i < shards.length; i++) {
                if (!split.get(i).isEmpty()) {
                    shards[i].add(split.get(i), now);
                }
            }
        }
        received.add(spans.size());
    }

    /** Reads every trace that has settled; visible for tests, which call it instead of waiting. */
    void settle(long nowMillis) {
        for (Shard shard : shards) {
            shard.settle(nowMillis);
        }
    }

    /** The traces waiting, sampled-out ones' marks included; for tests. */
    int pendingTraces() {
        int traces = 0;
        for (Shard shard : shards) {
            traces += shard.pendingTraces();
        }
        return traces;
    }

    /** The sampler, for tests that set its level. */
    TraceSampler sampler() {
        return sampler;
    }

    private int shardOf(long hash) {
        // The low bits: the sampler decides on the high ones, so each shard sees every level's share.
        return (int) Long.remainderUnsigned(hash, shards.length);
    }

    private void analyse(ReadyTrace trace) {
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace.spans(), apps);
        long nowMicros = clock.millis() * 1000;
        long weight = 1L << trace.level();
        result.apps().forEach(sample -> windows.add(sample, nowMicros, weight));
        AppRef last = null;
        for (AppSample sample : result.apps()) {
            if (sample.app().equals(last)) {
                continue;
            }
            last = sample.app();
            ArrayDeque<List<Span>> traces = recent.computeIfAbsent(sample.app(), key -> new ArrayDeque<>());
            synchronized (traces) {
                // A trace with several requests of one app is kept once.
                if (traces.peekLast() != trace.spans()) {
                    traces.addLast(trace.spans());
                    while (traces.size() > RECENT_PER_APP) {
                        traces.removeFirst();
                    }
                }
            }
        }
        result.edges().forEach(sample -> windows.add(sample, nowMicros, weight));
        ignored.add(result.ignored());
    }

    /**
     * What a scheduler or {@code emp tracing} reads of one app now: the window of whole seconds that ends before the
     * traces still being waited for (a trace is read up to {@code settle} plus a settling period after its last span),
     * so every second in it is complete: a second still filling would read low, and two apps read a moment apart would
     * disagree (measured: 5 to 12 % when the window ended {@code settle} ago).
     */
    public AppFigures figures(AppRef app) {
        long endMicros = windows.lastWholeBucketBefore((clock.millis() - settleMillis - periodMillis) * 1000);
        return new AppFigures(windows.app(app, endMicros), windows.edgesFrom(app, endMicros));
    }

    /**
     * Counts for {@code /healthz} and the logs: received, ignored (foreign services), read early, late into the
     * windows, not read by the sampler, the share of traces read now, and the spans waiting.
     */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("spans_received", received.sum());
        counters.put("spans_ignored", ignored.sum());
        counters.put("traces_read_early", forcedEarly.sum());
        counters.put("samples_late", windows.late());
        counters.put("spans_sampled_out", sampler.dropped());
        counters.put("sampling_one_in", 1L << sampler.level());
        long pending = 0;
        for (Shard shard : shards) {
            pending += shard.pendingSpans();
        }
        counters.put("spans_pending", pending);
        return counters;
    }

    /** The share of traces read now: 1 while analysis keeps up, 0.5, 0.25... when it does not. */
    public double samplingFraction() {
        return sampler.fraction();
    }

    /** The newest {@code limit} traces read through {@code app}, newest first. */
    public List<TraceSummary> recentTraces(AppRef app, int limit) {
        ArrayDeque<List<Span>> traces = recent.get(app);
        if (traces == null) {
            return List.of();
        }
        List<List<Span>> newestFirst;
        synchronized (traces) {
            newestFirst = new ArrayList<>(traces);
        }
        Collections.reverse(newestFirst);
        return newestFirst.subList(0, Math.min(limit, newestFirst.size())).stream()
                .map(TraceSummary::of)
                .toList();
    }

    public void forget(AppRef app) {
        windows.forget(app);
        recent.remove(app);
    }

    @Override
    public void close() {
        analysts.shutdownNow();
    }

    /** An app's window and its edges, as {@link AppView} holds them. */
    public record AppFigures(WindowMetrics metrics, List<EdgeMetrics> edges) {}

    /** The traces whose ids hash to one analysing thread. */
    private final class Shard {
        private final int maxSpans;
        /** Traces still gathering spans, least recently added to first: access order is arrival order here. */
        private final LinkedHashMap<String, PendingTrace> pending = new LinkedHashMap<>(1024, 0.75f, true);

        private final PendingSpans spans;
        /** The sampled-out traces marked in {@link #pending}. */
        private int marks;

        Shard(int maxSpans) {
            this.maxSpans = maxSpans;
            this.spans = new PendingSpans(Math.min(maxSpans, 4096), strings);
        }

        void add(List<Span> arriving, long now) {
            List<ReadyTrace> early = null;
            synchronized (this) {
                for (Span span : arriving) {
                    PendingTrace trace = pending.get(span.traceId());
                    if (trace == null) {
                        // Whether a trace is read is decided at its first span, for all of them: a level that changes
                        // while its spans arrive must not read a part of it.
                        int level = sampler.level();
                        boolean kept = sampler.keeps(TraceSampler.hash(span.traceId()), level);
                        trace = new PendingTrace(span.traceId(), level, !kept);
                        pending.put(trace.traceId, trace);
                        if (!kept) {
                            marks++;
                        }
                    } else if (trace.sampledOut) {
                        sampler.countOut();
                    }
                    trace.lastArrival = now;
                    if (trace.sampledOut) {
                        continue;
                    }
                    trace.tail = spans.append(span, trace.tail);
                    if (trace.head < 0) {
                        trace.head = trace.tail;
                    }
                    trace.count++;
                }
                // A sampled-out trace's mark counts as a span: a flood of new trace ids while sampling is bounded too.
                while (spans.size() + marks > maxSpans && !pending.isEmpty()) {
                    Iterator<PendingTrace> oldest = pending.values().iterator();
                    PendingTrace trace = oldest.next();
                    oldest.remove();
                    if (trace.sampledOut) {
                        marks--;
                        continue;
                    }
                    if (early == null) {
                        early = new ArrayList<>();
                    }
                    early.add(take(trace));
                    forcedEarly.increment();
                }
            }
            if (early != null) {
                // Read on the caller's thread: a source that outruns analysis is slowed down, not let grow.
                early.forEach(TraceAggregator.this::analyse);
            }
        }

        synchronized int pendingSpans() {
            return spans.size();
        }

        synchronized int pendingTraces() {
            return pending.size();
        }

        void settle(long nowMillis) {
            List<ReadyTrace> ready = new ArrayList<>();
            long lag = 0;
            synchronized (this) {
                for (Iterator<PendingTrace> traces = pending.values().iterator(); traces.hasNext(); ) {
                    PendingTrace trace = traces.next();
                    long quiet = nowMillis - trace.lastArrival;
                    if (quiet < settleMillis) {
                        break;
                    }
                    if (ready.isEmpty()) {
                        lag = quiet - settleMillis;
                    }
                    traces.remove();
                    if (trace.sampledOut) {
                        marks--;
                    } else {
                        ready.add(take(trace));
                    }
                }
            }
            sampler.observe(lag, nowMillis);
            ready.forEach(TraceAggregator.this::analyse);
        }

        /** The trace's spans out of the columns, its slots freed; the caller holds the lock. */
        private ReadyTrace take(PendingTrace trace) {
            return new ReadyTrace(spans.take(trace.head, trace.count, trace.traceId), trace.level);
        }

        void settleSafely(long nowMillis) {
            try {
                settle(nowMillis);
            } catch (RuntimeException e) {
                log.error("reading settled traces failed", e);
            }
        }
    }

    /** A trace taken out of its shard to be read, and the sampler's level when it was taken. */
    private record ReadyTrace(List<Span> spans, int level) {}

    /**
     * A trace still gathering spans: its chain of slots in its shard's {@link PendingSpans}; or, sampled out, only the
     * mark that its spans are not read, kept as long as they may still come.
     */
    private static final class PendingTrace {
        final String traceId;
        /** The sampler's level when the trace was taken: each of its samples stands for {@code 2^level}. */
        final int level;

        final boolean sampledOut;

        int head = -1;
        int tail = -1;
        int count;
        long lastArrival;

        PendingTrace(String traceId, int level, boolean sampledOut) {
            this.traceId = traceId;
            this.level = level;
            this.sampledOut = sampledOut;
        }
    }
}
