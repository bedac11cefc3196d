package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import java.util.List;
import java.util.Map;
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
                span("y", "a", Span.Kind.SERVER, "not-an-app", null, 10, 50, false, false));
        TraceAnalysis.TraceResult result = TraceAnalysis.analyse(trace, APPS::contains);
        assertThat(result.apps()).extracting(AppSample::app).containsExactly(AGG);
        assertThat(result.ignored()).isEqualTo(2);
    }

    @Test
    void coveredMergesIntervalsAndClipsThem() {
        assertThat(TraceAnalysis.covered(List.of(new long[] {0, 10}, new long[] {5, 15}, new long[] {20, 30}), 0, 100))
                .isEqualTo(25);
        assertThat(TraceAnalysis.covered(List.of(new long[] {-10, 10}, new long[] {90, 200}), 0, 100))
                .isEqualTo(20);
        assertThat(TraceAnalysis.covered(List.of(new long[] {0, 100}, new long[] {10, 20}), 0, 100))
                .isEqualTo(100);
        assertThat(TraceAnalysis.covered(List.of(), 0, 100)).isZero();
    }

    private static AppSample sample(TraceAnalysis.TraceResult result, AppRef app) {
        return result.apps().stream()
                .filter(sample -> sample.app().equals(app))
                .findFirst()
                .orElseThrow();
    }
}
