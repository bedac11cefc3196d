package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import emp.spi.AppRef;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanWindowsTest {
    private static final AppRef A = new AppRef("alice", "a");
    private static final AppRef B = new AppRef("alice", "b");
    private static final long SECOND = 1_000_000;

    @Test
    void figuresOverTheWindowHaveKnownAnswers() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        // 100 requests over the last 10 s: latencies 1..100 ms, self half of it, every 10th failed
        for (int i = 1; i <= 100; i++) {
            long start = now - 9 * SECOND + (i % 10) * SECOND / 2;
            windows.add(new AppSample(A, start, i * 1000L, i * 500L, i % 10 == 0), now);
        }
        WindowMetrics metrics = windows.app(A, now);
        assertThat(metrics.spans()).isEqualTo(100);
        assertThat(metrics.rate()).isCloseTo(10.0, within(1e-9));
        assertThat(metrics.errorRate()).isCloseTo(0.1, within(1e-9));
        assertThat(metrics.p50Ms()).isCloseTo(50, within(1.0));
        assertThat(metrics.p95Ms()).isCloseTo(95, within(1.0));
        assertThat(metrics.p99Ms()).isCloseTo(99, within(1.0));
        assertThat(metrics.selfMs()).isCloseTo(25.25, within(1e-9));
        // concurrency: 5050 ms busy over 10 s
        assertThat(metrics.concurrency()).isCloseTo(0.505, within(1e-9));
    }

    @Test
    void oldSamplesLeaveTheWindowAndALateOneLandsInTheNewestBucketAndIsCounted() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        windows.add(new AppSample(A, now - 5 * SECOND, 1000, 1000, false), now);
        assertThat(windows.app(A, now).spans()).isEqualTo(1);
        assertThat(windows.app(A, now + 6 * SECOND).spans()).isZero();

        // Its own bucket (a minute ago) is long gone: it is news now, not lost.
        windows.add(new AppSample(A, now + 6 * SECOND - 60 * SECOND, 7000, 7000, false), now + 6 * SECOND);

        assertThat(windows.late()).isEqualTo(1);
        WindowMetrics late = windows.app(A, now + 6 * SECOND);
        assertThat(late.spans()).isEqualTo(1);
        assertThat(late.p50Ms()).isCloseTo(7, within(0.1));
        assertThat(late.windowSeconds()).as("in the newest bucket").isEqualTo(1);
        assertThat(windows.app(B, now)).isEqualTo(WindowMetrics.empty(10));
    }

    @Test
    void aWeightedSampleStandsForThatManyRequests() {
        SpanWindows weighted = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        SpanWindows every = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        for (int i = 1; i <= 100; i++) {
            AppSample sample = new AppSample(A, now - 5 * SECOND + i * 1000, i * 1000L, i * 100L, i % 4 == 0);
            weighted.add(sample, now, 4);
            for (int copy = 0; copy < 4; copy++) {
                every.add(sample, now);
            }
        }

        assertThat(weighted.app(A, now)).isEqualTo(every.app(A, now));
        assertThat(weighted.app(A, now).spans()).isEqualTo(400);
    }

    @Test
    void concurrentWritersGiveTheFiguresOfOneWriter() throws Exception {
        SpanWindows shared = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        SpanWindows alone = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        int threads = 4;
        int perThread = 20_000;
        java.util.function.IntFunction<AppSample> appSample = i -> new AppSample(
                i % 3 == 0 ? A : B, now - (i % 9) * SECOND - i % 1000, 1 + (i * 37L) % 900_000, i % 5000, i % 11 == 0);
        java.util.function.IntFunction<EdgeSample> edgeSample =
                i -> new EdgeSample(A, B, now - (i % 9) * SECOND, 1 + (i * 53L) % 400_000, i % 7 == 0);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> writers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * perThread;
            Thread writer = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = first; i < first + perThread; i++) {
                    shared.add(appSample.apply(i), now);
                    shared.add(edgeSample.apply(i), now);
                }
            });
            writer.start();
            writers.add(writer);
        }
        go.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        for (int i = 0; i < threads * perThread; i++) {
            alone.add(appSample.apply(i), now);
            alone.add(edgeSample.apply(i), now);
        }

        assertThat(shared.app(A, now)).isEqualTo(alone.app(A, now));
        assertThat(shared.app(B, now)).isEqualTo(alone.app(B, now));
        assertThat(shared.edgesFrom(A, now)).isEqualTo(alone.edgesFrom(A, now));
        assertThat(shared.app(A, now).spans() + shared.app(B, now).spans()).isEqualTo((long) threads * perThread);
    }

    @Test
    void aSlowRequestCountsWhenItEndsNotWhenItStarted() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        // queued in a backlog for 14 s, reported as it ends: by its start it would be too old for any window
        windows.add(new AppSample(A, now - 15 * SECOND, 14 * SECOND, 14 * SECOND, false), now);

        assertThat(windows.late()).isZero();
        assertThat(windows.app(A, now).spans()).isEqualTo(1);
        assertThat(windows.app(A, now).p95Ms()).isCloseTo(14_000, withinPercentage(1));
        assertThat(windows.app(A, now + 11 * SECOND).spans()).isZero();
    }

    @Test
    void theRateOfAnAppWhoseRequestsBeganWithinTheWindowIsOverTheSecondsWithData() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        // 40 requests a second for the last 2 s (this second and the one before)
        for (int i = 0; i < 80; i++) {
            windows.add(new AppSample(A, now - SECOND + i * SECOND / 80, 1000, 1000, false), now);
        }

        WindowMetrics metrics = windows.app(A, now);
        assertThat(metrics.rate()).isCloseTo(40.0, within(1e-9));
        assertThat(metrics.windowSeconds()).isEqualTo(2);
        assertThat(windows.edgesFrom(A, now)).isEmpty();
    }

    @Test
    void edgesHaveRateAndP95() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        for (int i = 1; i <= 20; i++) {
            windows.add(new EdgeSample(A, B, now - SECOND, i * 1000L, false), now);
        }
        List<EdgeMetrics> edges = windows.edgesFrom(A, now);
        assertThat(edges).singleElement().satisfies(edge -> {
            assertThat(edge.to()).isEqualTo(B);
            // 20 calls that ended a second ago: over the 2 s from then to now
            assertThat(edge.rate()).isCloseTo(10.0, within(1e-9));
            assertThat(edge.p95Ms()).isCloseTo(19, within(1.0));
        });
        assertThat(windows.edgesFrom(B, now)).isEmpty();
        windows.forget(B);
        assertThat(windows.edgesFrom(A, now)).isEmpty();
    }
}
