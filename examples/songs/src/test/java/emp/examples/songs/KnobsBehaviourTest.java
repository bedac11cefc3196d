package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;

import brave.Span.Kind;
import brave.handler.MutableSpan;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The knobs as an experiment uses them: each one changes what the service's spans show. */
class KnobsBehaviourTest {
    private final RecordedSpans spans = new RecordedSpans();
    private final List<SongsService> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(SongsService::close);
    }

    @Test
    void errorRateOneFailsEveryRequestAndMarksItsSpan() throws Exception {
        SongsService users = start(ServiceKind.USERS, Map.of(), new Knobs(Duration.ZERO, Duration.ZERO, 0, 1.0));

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = Http.get(users.url() + "/1");
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("ERROR_RATE is 1.0");
        }

        assertThat(spans.await(3)).hasSize(3).allSatisfy(span -> {
            assertThat(RecordedSpans.isError(span)).as("error tagged: %s", span).isTrue();
            assertThat(span.tag("http.status_code")).isEqualTo("500");
        });
    }

    @Test
    void aFailingDependencyFailsItsCallerWithA502NamingIt() throws Exception {
        SongsService songs = start(ServiceKind.SONGS, Map.of(), new Knobs(Duration.ZERO, Duration.ZERO, 0, 1.0));
        SongsService playlists = start(ServiceKind.PLAYLISTS, Map.of(ServiceKind.SONGS, songs.url()), Knobs.NONE);

        HttpResponse<String> response = Http.get(playlists.url() + "/1");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("dependency 'songs' answered 500");
        List<MutableSpan> all = spans.await(3);
        assertThat(all).hasSize(3).allMatch(RecordedSpans::isError);
        assertThat(all.stream().map(MutableSpan::kind))
                .containsExactlyInAnyOrder(Kind.SERVER, Kind.CLIENT, Kind.SERVER);
    }

    @Test
    void anUnreachableDependencyIsA502AndAnErrorClientSpan() throws Exception {
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        SongsService playlists = start(ServiceKind.PLAYLISTS, Map.of(ServiceKind.SONGS, nowhere), Knobs.NONE);

        HttpResponse<String> response = Http.get(playlists.url() + "/");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("dependency 'songs' could not be reached", "SONGS_URL");
        MutableSpan call = spans.await(2).stream()
                .filter(span -> span.kind() == Kind.CLIENT)
                .findFirst()
                .orElseThrow();
        assertThat(call.error()).isNotNull();
    }

    @Test
    void maxConcurrencyOneServesOneRequestAtATime() throws Exception {
        Duration latency = Duration.ofMillis(100);
        SongsService users = start(ServiceKind.USERS, Map.of(), new Knobs(Duration.ZERO, latency, 1, 0));

        List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            requests.add(Http.getAsync(users.url() + "/" + i));
        }
        for (CompletableFuture<HttpResponse<String>> request : requests) {
            assertThat(request.get().statusCode()).isEqualTo(200);
        }

        List<MutableSpan> served = spans.await(4);
        assertThat(served).allMatch(span -> "1".equals(span.tag("songs.concurrency")));
        // Each got its turn only after the one before had slept its latency: they waited in line.
        List<Long> admitted = served.stream()
                .map(KnobsBehaviourTest::admittedAt)
                .sorted(Comparator.naturalOrder())
                .toList();
        for (int i = 1; i < admitted.size(); i++) {
            assertThat(admitted.get(i) - admitted.get(i - 1))
                    .as("gap between turns %s and %s", i - 1, i)
                    .isGreaterThanOrEqualTo(latency.toNanos() / 1000);
        }
    }

    @Test
    void workLatencyAddsAtLeastThatMuchToTheSpan() throws Exception {
        Duration latency = Duration.ofMillis(150);
        SongsService slow = start(ServiceKind.AUTH, Map.of(), new Knobs(Duration.ZERO, latency, 0, 0));

        assertThat(Http.get(slow.url() + "/?user=1").statusCode()).isEqualTo(200);

        MutableSpan span = spans.await(1).get(0);
        assertThat(span.finishTimestamp() - span.startTimestamp()).isGreaterThanOrEqualTo(latency.toNanos() / 1000);
    }

    @Test
    void workCpuSpinsForAtLeastThatMuchCpuTime() throws Exception {
        Duration cpu = Duration.ofMillis(40);
        SongsService busy = start(ServiceKind.SONGS, Map.of(), new Knobs(cpu, Duration.ZERO, 0, 0));
        SongsService idle = start(ServiceKind.SONGS, Map.of(), Knobs.NONE);

        assertThat(Http.get(busy.url() + "/").statusCode()).isEqualTo(200);
        assertThat(Http.get(idle.url() + "/").statusCode()).isEqualTo(200);

        List<MutableSpan> both = spans.await(2);
        MutableSpan spun = both.stream()
                .filter(span -> span.tag("songs.cpu_ms") != null)
                .findFirst()
                .orElseThrow();
        assertThat(Long.parseLong(spun.tag("songs.cpu_ms"))).isGreaterThanOrEqualTo(cpu.toMillis());
        assertThat(spun.finishTimestamp() - spun.startTimestamp()).isGreaterThanOrEqualTo(cpu.toNanos() / 1000);
        assertThat(both).filteredOn(span -> span.tag("songs.cpu_ms") == null).hasSize(1);
    }

    private SongsService start(ServiceKind kind, Map<ServiceKind, URI> dependencies, Knobs knobs) throws IOException {
        SongsService service = SongsService.start(
                new ServiceConfig(kind, "127.0.0.1", 0, "alice/" + kind.id(), dependencies, knobs), spans);
        started.add(service);
        return service;
    }

    private static long admittedAt(MutableSpan span) {
        for (int i = 0; i < span.annotationCount(); i++) {
            if (span.annotationValueAt(i).equals("songs.admitted")) {
                return span.annotationTimestampAt(i);
            }
        }
        throw new AssertionError("no songs.admitted annotation on " + span);
    }
}
