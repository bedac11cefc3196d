package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import brave.Span;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies a service's {@link Knobs} around each request: waits for a turn when concurrency is capped, then sleeps,
 * then spins the CPU, then fails the request or lets the service answer it. Everything happens inside the server
 * span, so waiting in line shows as latency, and the span is tagged with what was done:
 * {@code songs.concurrency} (requests being served when this one got its turn, itself included) and
 * {@code songs.cpu_ms} (the CPU time spent spinning), with the annotation {@code songs.admitted} when its turn came.
 */
final class Workload {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Knobs knobs;
    private final Semaphore turns;
    private final AtomicInteger serving = new AtomicInteger();
    // Written so that the JIT cannot drop the spin loop as dead code.
    private volatile long sink;

    Workload(Knobs knobs) {
        this.knobs = requireNonNull(knobs, "knobs is null");
        // Fair, so requests are served in the order they arrived, like a queue in front of a fixed worker pool.
        this.turns = knobs.maxConcurrency() > 0 ? new Semaphore(knobs.maxConcurrency(), true) : null;
    }

    /** Runs {@code api} on {@code call} with the added work, within {@code span}. */
    Reply serve(Span span, Api api, Call call) throws InterruptedException {
        if (turns != null) {
            turns.acquire();
        }
        try {
            span.annotate("songs.admitted");
            span.tag("songs.concurrency", Integer.toString(serving.incrementAndGet()));
            if (!knobs.latency().isZero()) {
                Thread.sleep(knobs.latency().toMillis());
            }
            if (!knobs.cpu().isZero()) {
                span.tag("songs.cpu_ms", Long.toString(spin(knobs.cpu().toNanos()) / 1_000_000));
            }
            if (knobs.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < knobs.errorRate()) {
                return Reply.error(
                        500,
                        "failed on purpose: ERROR_RATE is " + knobs.errorRate()
                                + "; unset it or set it to 0 for no injected failures");
            }
            return api.handle(call);
        } finally {
            serving.decrementAndGet();
            if (turns != null) {
                turns.release();
            }
        }
    }

    /**
     * Busy work: a xorshift generator stepped until this thread has used {@code nanos} of CPU time. CPU time, not
     * wall time, so a request costs the same CPU however busy the machine is: on a loaded machine it takes longer,
     * which is what a CPU-bound service does.
     *
     * @return the CPU time used, in nanoseconds
     */
    private long spin(long nanos) {
        boolean cpuClock = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
        long start = cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        long x = start | 1;
        long used;
        do {
            for (int i = 0; i < 20_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            used = (cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - start;
        } while (used < nanos);
        sink = x;
        return used;
    }
}
