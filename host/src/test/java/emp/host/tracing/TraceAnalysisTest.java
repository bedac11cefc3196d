package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-built traces with known answers. Times in microseconds from 0. */
class TraceAnalysisTest {
    private static final AppRef AGG = new AppRef("alice", "aggregator");
    private static final AppRef SONGS = new AppRef("alice", "songs");
    private static final AppRef USERS = new AppRef("alice", "users");
    private static final AppRef PLAIN = new AppRef("alice", "plain");
    private static final Set<AppRef> APPS = Set.of(AGG, SONGS, USERS, PLAIN);

    static Span span(
            String id,
            String parent,
            Span.Kind kind,
            String service,
            String remote,
            long start,
            long duration,
            boolean shared,
            boolean error) {
        return new Span(
                "t1",
                id,
                parent,
                "op",
                kind,
                service,
                remote,
                start,
                duration,
                error ? Map.of("error", "500") : Map.of(),
                shared);
    }

    static Span server(String id, String parent, AppRef app, long start, long duration) {
        return span(id, parent, Span.Kind.SERVER, app.toString(), null, start, duration, false, false);
    }

    static Span client(String id, String parent, AppRef app, long start, long duration) {
        return span(id, parent, Span.Kind.CLIENT, app.toString(), null, start, duration, false, false);
    }

    @Test
    void selfTimeCountsOverlappingParallelCallsOnce() {
        // aggregator serves 0..1000; calls songs 100..600 and users 300..800 in parallel: waits 100..800 = 700
        List<Span> trace = List.of(
                server("a", null, AGG, 0, 1000),
                client("c1", "a", AGG, 100, 500),
                server("s1", "c1", SONGS, 150, 400),
                client("c2", "a", AGG, 300, 500),
                server("u1", "c2", USERS, 320, 450));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);

        AppSample aggregator = sample(result, AGG);
        assertThat(aggregator.durationMicros()).isEqualTo(1000);
        assertThat(aggregator.selfMicros()).isEqualTo(300);
        assertThat(sample(result, SONGS).selfMicros()).isEqualTo(400);
        assertThat(result.edges())
                .extracting(EdgeSample::from, EdgeSample::to, EdgeSample::durationMicros)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(AGG, SONGS, 500L),
                        org.assertj.core.groups.Tuple.tuple(AGG, USERS, 500L));
    }

    @Test
    void sharedSpansOfAJoinedCallAreOneEdge() {
        // B3 join: songs's server span reuses the client's id c1
        List<Span> trace = List.of(
                server("a", null, AGG, 0, 1000),
                client("c1", "a", AGG, 100, 600),
                span("c1", "a", Span.Kind.SERVER, SONGS.toString(), null, 120, 500, true, true),
                client("c3", "c1", SONGS, 200, 100));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);

        assertThat(sample(result, AGG).selfMicros()).isEqualTo(400);
        AppSample songs = sample(result, SONGS);
        assertThat(songs.error()).isTrue();
        assertThat(songs.selfMicros())
                .as("songs's own outgoing call to an unknown service counts as waiting")
                .isEqualTo(400);
        assertThat(result.edges()).singleElement().satisfies(edge -> {
            assertThat(edge.from()).isEqualTo(AGG);
            assertThat(edge.to()).isEqualTo(SONGS);
        });
    }

    @Test
    void theGatewayMeasuresAnUninstrumentedAppAndStandsAsitsCalls() {
        // gateway g1 -> plain (not instrumented, forwards headers) -> gateway g2 (parent g1) -> songs (instrumented)
        List<Span> trace = List.of(
                span("g1", null, Span.Kind.SERVER, TraceAnalysis.GATEWAY, PLAIN.toString(), 0, 1000, false, false),
                span("g2", "g1", Span.Kind.SERVER, TraceAnalysis.GATEWAY, SONGS.toString(), 200, 600, false, false),
                server("s", "g2", SONGS, 250, 500));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);

        assertThat(result.apps()).extracting(AppSample::app).containsExactlyInAnyOrder(PLAIN, SONGS);
        assertThat(sample(result, PLAIN).selfMicros()).isEqualTo(400);
        assertThat(sample(result, SONGS).durationMicros())
                .as("songs measures itself, not the gateway")
                .isEqualTo(500);
        assertThat(result.edges()).singleElement().satisfies(edge -> {
            assertThat(edge.from()).isEqualTo(PLAIN);
            assertThat(edge.to()).isEqualTo(SONGS);
            assertThat(edge.durationMicros()).isEqualTo(600);
        });
    }

    @Test
    void anInstrumentedCallerThroughTheGatewayIsOneEdgeNotTwo() {
        // aggregator's client span -> gateway span -> songs server (joined to the gateway's id)
        List<Span> trace = List.of(
                server("a", null, AGG, 0, 1000),
                client("c1", "a", AGG, 100, 700),
                span("g", "c1", Span.Kind.SERVER, TraceAnalysis.GATEWAY, SONGS.toString(), 110, 680, false, false),
                span("g", "c1", Span.Kind.SERVER, SONGS.toString(), null, 120, 600, true, false));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);

        assertThat(result.apps()).extracting(AppSample::app).containsExactlyInAnyOrder(AGG, SONGS);
        assertThat(sample(result, AGG).selfMicros()).isEqualTo(300);
        assertThat(result.edges()).singleElement().satisfies(edge -> {
            assertThat(edge.to()).isEqualTo(SONGS);
            assertThat(edge.durationMicros()).isEqualTo(700);
        });
    }

    @Test
    void foreignServicesAreCountedAndIgnored() {
        List<Span> trace = List.of(
                server("a", null, AGG, 0, 100),
                span("x", "a", Span.Kind.SERVER, "mallory/app", null, 10, 50, false, false),
                span("y", "a", Span.Kind.SERVER, "not-an-app", null, 10, 50, false, false),
                span("z", "a", Span.Kind.SERVER, "alice/aggregator/extra", null, 10, 50, false, false),
                span("w", "a", Span.Kind.SERVER, "alice/", null, 10, 50, false, false));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);
        assertThat(result.apps()).extracting(AppSample::app).containsExactly(AGG);
        assertThat(result.ignored()).isEqualTo(4);
    }

    @Test
    void aSpanSentTwiceCountsOnce() {
        List<Span> once = List.of(
                server("a", null, AGG, 0, 1000), client("c", "a", AGG, 100, 500), server("s", "c", SONGS, 150, 400));
        List<Span> twice = new ArrayList<>(once);
        twice.addAll(once);
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(twice, APPS::contains);
        assertThat(result.apps()).extracting(AppSample::app).containsExactlyInAnyOrder(AGG, SONGS);
        assertThat(result.edges())
                .singleElement()
                .satisfies(edge -> assertThat(edge.to()).isEqualTo(SONGS));
        assertThat(sample(result, AGG).selfMicros()).isEqualTo(500);
    }

    @Test
    void aTraceOfManySpansAndAChainAsDeepAreReadWholeWithoutExhaustingTheStack() {
        // 100,000 spans of the aggregator nested in one another under its request, the last calling songs
        int depth = 100_000;
        List<Span> chain = new ArrayList<>();
        chain.add(server("r", null, AGG, 0, 10_000));
        for (int i = 1; i <= depth; i++) {
            chain.add(span("n" + i, i == 1 ? "r" : "n" + (i - 1), null, AGG.toString(), null, 10, 9000, false, false));
        }
        chain.add(client("c", "n" + depth, AGG, 100, 4000));
        chain.add(server("s", "c", SONGS, 200, 3000));
        Collections.shuffle(chain, new Random(7));

        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(chain, APPS::contains);

        assertThat(result.apps()).extracting(AppSample::app).containsExactlyInAnyOrder(AGG, SONGS);
        assertThat(sample(result, AGG).selfMicros()).isEqualTo(6000);
        assertThat(result.edges())
                .singleElement()
                .satisfies(edge -> assertThat(edge.to()).isEqualTo(SONGS));

        // 50,000 calls from one request, each answered
        List<Span> wide = new ArrayList<>();
        wide.add(server("r", null, AGG, 0, 100_000));
        for (int i = 0; i < 25_000; i++) {
            wide.add(client("c" + i, "r", AGG, i, 10));
            wide.add(server("s" + i, "c" + i, SONGS, i, 5));
        }
        TraceAnalysis.TraceResult flat = TraceAnalysis.analyse(wide, APPS::contains);
        assertThat(flat.apps()).hasSize(25_001);
        assertThat(flat.edges()).hasSize(25_000);
        assertThat(sample(flat, AGG).selfMicros()).isEqualTo(100_000 - 25_009);
    }

    @Test
    void coveredMergesIntervalsAndClipsThem() {
        assertThat(covered(new long[][] {{20, 30}, {0, 10}, {5, 15}}, 0, 100)).isEqualTo(25);
        assertThat(covered(new long[][] {{-10, 10}, {90, 200}}, 0, 100)).isEqualTo(20);
        assertThat(covered(new long[][] {{0, 100}, {10, 20}}, 0, 100)).isEqualTo(100);
        assertThat(covered(new long[][] {}, 0, 100)).isZero();
    }

    private static long covered(long[][] intervals, long from, long to) {
        long[] starts = new long[intervals.length];
        long[] ends = new long[intervals.length];
        for (int i = 0; i < intervals.length; i++) {
            starts[i] = intervals[i][0];
            ends[i] = intervals[i][1];
        }
        return TraceAnalysis.covered(starts, ends, intervals.length, from, to);
    }

    private static AppSample sample(TraceAnalysis.TraceResult result, AppRef app) {
        return result.apps().stream()
                .filter(sample -> sample.app().equals(app))
                .findFirst()
                .orElseThrow();
    }
}
