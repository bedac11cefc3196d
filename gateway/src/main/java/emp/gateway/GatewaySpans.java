package emp.gateway;

import static java.util.Objects.requireNonNull;

import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's span per routed request, reported to the platform as a Zipkin-model SERVER span of service
 * {@value #SERVICE} (see {@link #toSpan} for its fields), so that an app that records no spans of its own is measured
 * all the same.
 *
 * <p>The gateway tells of each request on its event loops, which must not wait: the request is only queued there, and
 * one thread of its own turns the queue into spans and hands them to the sink in batches every
 * {@value #DRAIN_PERIOD_MILLIS} ms. The queue is bounded: past {@link #DEFAULT_CAPACITY} requests waiting, further
 * ones are dropped and counted, and the count is logged, so a sink that falls behind costs spans, never memory.
 */
public final class GatewaySpans implements RequestListener, AutoCloseable {
    /** The service the gateway's spans are recorded by. */
    public static final String SERVICE = "emp-gateway";

    /** Room for 160,000 requests a second between two drains, far more than one machine's gateway serves; a few MiB. */
    public static final int DEFAULT_CAPACITY = 16_384;

    static final long DRAIN_PERIOD_MILLIS = 100;
    private static final int BATCH = 1_024;
    private static final long DROP_LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(GatewaySpans.class);

    private final SpanSink sink;
    private final int capacity;
    /**
     * Lock-free, so that the event loops never wait for each other or for the drain; its length is counted apart, since
     * the queue's own {@code size()} walks it.
     */
    private final ConcurrentLinkedQueue<RoutedRequest> pending = new ConcurrentLinkedQueue<>();

    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Object drainLock = new Object();
    private ScheduledExecutorService drainer;
    private long droppedLogged;
    private long lastDropLogNanos;
    private boolean sinkFailed;

    /** Starts no thread until {@link #start}. */
    public GatewaySpans(SpanSink sink, int capacity) {
        this.sink = requireNonNull(sink, "sink is null");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity " + capacity + " must be positive");
        }
        this.capacity = capacity;
    }

    /** Starts handing queued requests to the sink every {@value #DRAIN_PERIOD_MILLIS} ms, on one of {@code threads}. */
    public synchronized void start(ThreadFactory threads) {
        if (drainer != null) {
            return;
        }
        drainer = Executors.newSingleThreadScheduledExecutor(threads);
        drainer.scheduleWithFixedDelay(this::drain, DRAIN_PERIOD_MILLIS, DRAIN_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Called on a gateway event loop: queues, or drops and counts when the queue is full. A request whose caller said
     * not to sample its trace is not recorded: a load test's warm-up, a health prober.
     */
    @Override
    public void routed(RoutedRequest request) {
        if (!request.sampled()) {
            return;
        }
        if (pendingCount.incrementAndGet() > capacity) {
            pendingCount.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        pending.offer(request);
    }

    /** How many requests found the queue full since this started; their spans were lost. */
    public long dropped() {
        return dropped.get();
    }

    /** Hands every queued request to the sink as spans, in batches of at most {@value #BATCH}. */
    public void drain() {
        synchronized (drainLock) {
            List<RoutedRequest> batch = new ArrayList<>(Math.min(BATCH, pendingCount.get()));
            while (drainTo(batch) > 0) {
                List<Span> spans = new ArrayList<>(batch.size());
                for (RoutedRequest request : batch) {
                    spans.add(toSpan(request));
                }
                batch.clear();
                deliver(spans);
            }
            logDrops();
        }
    }

    /** Moves up to {@value #BATCH} queued requests to {@code batch}; called with the drain lock held, by one thread. */
    private int drainTo(List<RoutedRequest> batch) {
        int moved = 0;
        RoutedRequest next;
        while (moved < BATCH && (next = pending.poll()) != null) {
            batch.add(next);
            moved++;
        }
        pendingCount.addAndGet(-moved);
        return moved;
    }

    /** Stops the thread after a last {@link #drain()}, so that requests the gateway ended before are reported. */
    @Override
    public void close() {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = drainer;
            drainer = null;
        }
        if (executor != null) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        drain();
    }

    /**
     * The gateway's span for {@code request}: kind SERVER; local service {@value #SERVICE}; remote service the app,
     * {@code owner/app}; name the lower-case method and the path without query ({@code get /songs}); its trace, id and
     * parent as the gateway joined them, never shared; duration at least 1 µs (Zipkin drops a 0). Tags:
     * {@code http.method}, {@code http.path}, {@code http.status_code} (absent when the client left before any
     * answer), {@code emp.app} ({@code owner/app}), {@code emp.instance} (the replica's id, absent when none was
     * asked), and {@code error} when the request failed: the gateway's reason, or the status code of a 5xx answer.
     */
    static Span toSpan(RoutedRequest request) {
        String app = request.user() + "/" + request.app();
        Map<String, String> tags = new HashMap<>(8);
        tags.put("http.method", request.method());
        tags.put("http.path", request.path());
        if (request.status() > 0) {
            tags.put("http.status_code", Integer.toString(request.status()));
        }
        tags.put("emp.app", app);
        if (request.backendId() != null) {
            tags.put("emp.instance", request.backendId());
        }
        if (request.error() != null) {
            tags.put("error", request.error());
        } else if (request.status() >= 500) {
            tags.put("error", Integer.toString(request.status()));
        }
        return new Span(
                request.traceId(),
                request.spanId(),
                request.parentSpanId(),
                request.method().toLowerCase(Locale.ROOT) + " " + request.path(),
                Span.Kind.SERVER,
                SERVICE,
                app,
                request.startMicros(),
                Math.max(1, request.durationMicros()),
                tags,
                false);
    }

    private void deliver(List<Span> spans) {
        try {
            sink.accept(spans);
        } catch (RuntimeException e) {
            // The spans are lost either way; a sink that keeps failing should not flood the log.
            if (!sinkFailed) {
                sinkFailed = true;
                log.warn(
                        "the platform refused {} gateway span(s); they are lost (later failures are logged at debug"
                                + " level)",
                        spans.size(),
                        e);
            } else {
                log.debug("the platform refused {} gateway span(s)", spans.size(), e);
            }
        }
    }

    private void logDrops() {
        long total = dropped.get();
        long now = System.nanoTime();
        if (total > droppedLogged && (droppedLogged == 0 || now - lastDropLogNanos >= DROP_LOG_PERIOD_NANOS)) {
            log.warn(
                    "dropped {} gateway span(s) so far: more than {} requests ended between two hand-overs to the"
                            + " platform; the figures of the apps behind the gateway undercount",
                    total,
                    capacity);
            droppedLogged = total;
            lastDropLogNanos = now;
        }
    }
}
