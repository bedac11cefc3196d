package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import emp.host.testing.MovableClock;
import emp.spi.AppRef;
import emp.spi.scheduler.WindowMetrics;
import emp.spi.tracing.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceAggregatorTest {
    private static final AppRef FRONT = new AppRef("alice", "front");
    private static final AppRef BACK = new AppRef("alice", "back");
    private static final long START_MILLIS = 1_000_000_000L;

    private final MovableClock clock = new MovableClock(Instant.ofEpochMilli(START_MILLIS));

    @Test
    void sampledWholeTracesScaledBackGiveTheOfferedRateAndLatencies() {
        SpanWindows sampledWindows = windows();
        SpanWindows everyWindows = windows();
        try (TraceAggregator sampled = aggregator(sampledWindows, 1_000_000, 2);
                TraceAggregator every = aggregator(everyWindows, 1_000_000, 2)) {
            sampled.sampler().level(3);
            // 50,000 requests over 5 s: front calls back; back takes 1..200 ms
            for (int i = 0; i < 50_000; i++) {
                List<Span> trace = trace(i, START_MILLIS * 1000 - 5_000_000 + i * 100L, 1000 + (i * 7919L) % 200_000);
                sampled.accept(trace);
                every.accept(trace);
            }
            clock.advance(Duration.ofSeconds(3));
            sampled.settle(clock.millis());
            every.settle(clock.millis());

            long nowMicros = clock.millis() * 1000;
            for (AppRef app : List.of(FRONT, BACK)) {
                WindowMetrics all = everyWindows.app(app, nowMicros);
                WindowMetrics kept = sampledWindows.app(app, nowMicros);
                assertThat(all.spans()).isEqualTo(50_000);
                assertThat(kept.rate()).as(app + " rate").isCloseTo(all.rate(), withinPercentage(5));
                assertThat(kept.p95Ms()).as(app + " p95").isCloseTo(all.p95Ms(), withinPercentage(5));
                assertThat(kept.p50Ms()).as(app + " p50").isCloseTo(all.p50Ms(), withinPercentage(5));
            }
            assertThat(sampledWindows.edgesFrom(FRONT, nowMicros))
                    .singleElement()
                    .satisfies(edge -> assertThat(edge.rate())
                            .as("whole traces: each kept front request has its call")
                            .isCloseTo(
                                    everyWindows
                                            .edgesFrom(FRONT, nowMicros)
                                            .get(0)
                                            .rate(),
                                    withinPercentage(5)));
            Map<String, Long> counters = sampled.counters();
            assertThat(counters.get("sampling_one_in")).isEqualTo(8);
            assertThat((double) counters.get("spans_sampled_out")).isCloseTo(50_000 * 3 * 7 / 8.0, withinPercentage(5));
        }
    }

    @Test
    void analysisThatFallsBehindStartsSamplingAndSaysSo() {
        SpanWindows windows = windows();
        try (TraceAggregator aggregator = aggregator(windows, 1_000_000, 2)) {
            for (int i = 0; i < 1000; i++) {
                aggregator.accept(trace(i, START_MILLIS * 1000, 1000));
            }
            // Read 10 s after their last span, 8 s past their settle time: far behind.
            clock.advance(Duration.ofSeconds(10));
            aggregator.settle(clock.millis());

            assertThat(aggregator.samplingFraction()).isEqualTo(0.5);
            for (int i = 1000; i < 21_000; i++) {
                aggregator.accept(trace(i, clock.millis() * 1000, 1000));
            }
            assertThat((double) aggregator.counters().get("spans_sampled_out"))
                    .as("about half of the traces, whole")
                    .isCloseTo(20_000 * 3 / 2.0, withinPercentage(5));
            assertThat(aggregator.counters().get("spans_sampled_out") % 3).isZero();
        }
    }

    @Test
    void aTraceIsReadWholeOrNotAtAllWhenTheSamplingLevelChangesWhileItsSpansArrive() {
        SpanWindows windows = windows();
        try (TraceAggregator aggregator = aggregator(windows, 1_000_000, 2)) {
            List<List<Span>> out = new ArrayList<>();
            List<List<Span>> in = new ArrayList<>();
            for (int i = 0; out.size() < 100 || in.size() < 100; i++) {
                List<Span> trace = trace(i, START_MILLIS * 1000 - 1_000_000, 1000);
                boolean keptAtLevelOne = TraceSampler.hash(trace.get(0).traceId()) >>> 63 == 0;
                (keptAtLevelOne ? in : out).add(trace);
            }
            // Each trace's first span while one in two is read, the rest once all are read again.
            aggregator.sampler().level(1);
            out.subList(0, 100).forEach(trace -> aggregator.accept(trace.subList(0, 1)));
            in.subList(0, 100).forEach(trace -> aggregator.accept(trace.subList(0, 1)));
            aggregator.sampler().level(0);
            out.subList(0, 100).forEach(trace -> aggregator.accept(trace.subList(1, trace.size())));
            in.subList(0, 100).forEach(trace -> aggregator.accept(trace.subList(1, trace.size())));
            clock.advance(Duration.ofSeconds(3));
            aggregator.settle(clock.millis());

            long nowMicros = clock.millis() * 1000;
            assertThat(windows.app(FRONT, nowMicros).spans())
                    .as("the kept traces, each standing for two")
                    .isEqualTo(200);
            assertThat(windows.app(BACK, nowMicros).spans()).isEqualTo(200);
            assertThat(aggregator.counters().get("spans_sampled_out")).isEqualTo(300);
        }
    }

    @Test
    void aFloodPastTheBoundIsReadEarlyAndPendingSpansStayBounded() {
        SpanWindows windows = windows();
        try (TraceAggregator aggregator = aggregator(windows, 3000, 3)) {
            for (int i = 0; i < 100_000; i++) {
                aggregator.accept(trace(i, clock.millis() * 1000, 1000));
                if (i % 1000 == 0) {
                    assertThat(aggregator.counters().get("spans_pending")).isLessThanOrEqualTo(3000);
                }
            }
            Map<String, Long> counters = aggregator.counters();
            assertThat(counters.get("spans_pending")).isLessThanOrEqualTo(3000);
            assertThat(counters.get("traces_read_early")).isGreaterThan(98_000);
            assertThat(counters.get("spans_received")).isEqualTo(300_000);
            assertThat(windows.app(FRONT, clock.millis() * 1000).spans() + counters.get("spans_pending") / 3)
                    .as("nothing lost: read early or still pending")
                    .isEqualTo(100_000);
        }
    }

    @Test
    void whileSamplingAFloodOfNewTraceIdsKeepsItsMarksWithinTheBound() {
        SpanWindows windows = windows();
        try (TraceAggregator aggregator = aggregator(windows, 3000, 2)) {
            aggregator.sampler().level(TraceSampler.MAX_LEVEL);
            for (int i = 0; i < 100_000; i++) {
                aggregator.accept(trace(i, clock.millis() * 1000, 1000).subList(0, 1));
            }
            assertThat(aggregator.pendingTraces()).isLessThanOrEqualTo(3000);
            assertThat(aggregator.counters().get("spans_sampled_out")).isGreaterThan(90_000);
        }
    }

    private TraceAggregator aggregator(SpanWindows windows, int maxPending, int shards) {
        return new TraceAggregator(
                windows, Set.of(FRONT, BACK)::contains, clock, Duration.ofSeconds(2), maxPending, shards);
    }

    private static SpanWindows windows() {
        return new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(4));
    }

    /** Front serves a request and calls back, which takes {@code backMicros}: three spans. */
    private static List<Span> trace(int number, long startMicros, long backMicros) {
        String trace = String.format("%016x", number * 2654435761L);
        List<Span> spans = new ArrayList<>();
        spans.add(new Span(
                trace,
                "a",
                null,
                "get",
                Span.Kind.SERVER,
                FRONT.toString(),
                null,
                startMicros,
                backMicros + 500,
                Map.of(),
                false));
        spans.add(new Span(
                trace,
                "b",
                "a",
                "call",
                Span.Kind.CLIENT,
                FRONT.toString(),
                BACK.toString(),
                startMicros + 100,
                backMicros + 200,
                Map.of(),
                false));
        spans.add(new Span(
                trace,
                "c",
                "b",
                "get",
                Span.Kind.SERVER,
                BACK.toString(),
                null,
                startMicros + 150,
                backMicros,
                Map.of(),
                false));
        return spans;
    }
}
