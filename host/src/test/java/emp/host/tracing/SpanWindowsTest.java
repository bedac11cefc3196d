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
    void oldSamplesLeaveTheWindowAndTooOldOnesAreCounted() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        windows.add(new AppSample(A, now - 5 * SECOND, 1000, 1000, false), now);
        assertThat(windows.app(A, now).spans()).isEqualTo(1);
        assertThat(windows.app(A, now + 6 * SECOND).spans()).isZero();
        windows.add(new AppSample(A, now - 60 * SECOND, 1000, 1000, false), now);
        assertThat(windows.tooOld()).isEqualTo(1);
        assertThat(windows.app(B, now)).isEqualTo(WindowMetrics.empty(10));
    }

    @Test
    void aSlowRequestCountsWhenItEndsNotWhenItStarted() {
        SpanWindows windows = new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2));
        long now = 1000 * SECOND;
        // queued in a backlog for 14 s, reported as it ends: by its start it would be too old for any window
        windows.add(new AppSample(A, now - 15 * SECOND, 14 * SECOND, 14 * SECOND, false), now);

        assertThat(windows.tooOld()).isZero();
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
