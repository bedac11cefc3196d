package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;

import brave.Span.Kind;
import brave.handler.MutableSpan;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The five services together: what aggregator answers, and the one trace a request through it leaves. */
class SongsSystemTest {
    /** aggregator's server span, its 4 client spans, the 4 server spans they reach, playlists' call to songs. */
    private static final int SPANS_PER_PAGE = 11;

    private static SongsStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = SongsStack.start(Map.of());
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @BeforeEach
    void forgetEarlierSpans() {
        // A server span ends just after its answer is sent: the last test's may still be ending.
        stack.awaitIdle();
        stack.spans.clear();
    }

    @Test
    void aggregatorGathersTheHomePageFromEveryService() throws Exception {
        HttpResponse<String> response = Http.get(stack.url(ServiceKind.AGGREGATOR) + "/?user=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode page = Json.MAPPER.readTree(response.body());
        assertThat(page.path("user").path("name").asText()).isEqualTo("Alice Moreau");
        assertThat(page.path("auth").path("authenticated").asBoolean()).isTrue();
        assertThat(page.path("songs")).hasSize(Catalog.SONGS.size());
        // Alice's playlists, each with its songs resolved by the songs service, in the playlist's order.
        assertThat(page.path("playlists").findValuesAsText("name")).contains("Late night jazz", "Piano");
        JsonNode jazz = page.path("playlists").get(0);
        assertThat(jazz.path("songs").findValuesAsText("title"))
                .containsExactly("Blue in Green", "Naima", "Take Five", "So What");
        assertThat(jazz.path("songs").get(0).path("duration_seconds").asInt()).isEqualTo(337);
    }

    @Test
    void oneRequestThroughAggregatorIsOneTraceWithSpansInEveryService() throws Exception {
        assertThat(Http.get(stack.url(ServiceKind.AGGREGATOR) + "/").statusCode())
                .isEqualTo(200);

        List<MutableSpan> spans = stack.spans.await(SPANS_PER_PAGE);
        assertThat(spans).hasSize(SPANS_PER_PAGE);
        assertThat(spans.stream().map(MutableSpan::traceId).distinct()).hasSize(1);
        assertThat(spans.get(0).traceId()).hasSize(32);
        assertThat(spans.stream().map(MutableSpan::localServiceName).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "alice/aggregator", "alice/users", "alice/songs", "alice/playlists", "alice/auth");
        assertThat(spans).noneMatch(RecordedSpans::isError).noneMatch(MutableSpan::shared);

        MutableSpan root = only(spans, span -> span.parentId() == null);
        assertThat(root.kind()).isEqualTo(Kind.SERVER);
        assertThat(root.localServiceName()).isEqualTo("alice/aggregator");
        assertThat(root.name()).isEqualTo("GET /");

        // aggregator -> one client span per dependency -> that dependency's server span.
        List<MutableSpan> calls = childrenOf(spans, root);
        assertThat(calls).allMatch(span -> span.kind() == Kind.CLIENT);
        assertThat(calls.stream().map(MutableSpan::remoteServiceName))
                .containsExactlyInAnyOrder("alice/users", "alice/songs", "alice/playlists", "alice/auth");
        for (MutableSpan call : calls) {
            MutableSpan served = only(childrenOf(spans, call), span -> true);
            assertThat(served.kind()).isEqualTo(Kind.SERVER);
            assertThat(served.localServiceName()).isEqualTo(call.remoteServiceName());
            assertThat(served.tag("http.path")).isEqualTo(call.tag("http.path"));
        }
        MutableSpan users = serverOf(spans, "alice/users", root);
        assertThat(users.name()).isEqualTo("GET /{id}");

        // aggregator -> playlists -> songs: the call graph's depth.
        MutableSpan playlists = serverOf(spans, "alice/playlists", root);
        MutableSpan songsCall = only(childrenOf(spans, playlists), span -> true);
        assertThat(songsCall.kind()).isEqualTo(Kind.CLIENT);
        assertThat(songsCall.remoteServiceName()).isEqualTo("alice/songs");
        MutableSpan songs = only(childrenOf(spans, songsCall), span -> true);
        assertThat(songs.kind()).isEqualTo(Kind.SERVER);
        assertThat(songs.localServiceName()).isEqualTo("alice/songs");
        // A child's span lies within its parent's.
        assertThat(songs.startTimestamp()).isGreaterThanOrEqualTo(playlists.startTimestamp());
        assertThat(songs.finishTimestamp()).isLessThanOrEqualTo(playlists.finishTimestamp());
        assertThat(playlists.finishTimestamp()).isLessThanOrEqualTo(root.finishTimestamp());
    }

    @Test
    void aW3cTraceparentAloneJoinsItsTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpanId = "00f067aa0ba902b7";

        HttpResponse<String> response = Http.get(
                stack.url(ServiceKind.AGGREGATOR) + "/", "traceparent", "00-" + traceId + "-" + callerSpanId + "-01");

        assertThat(response.statusCode()).isEqualTo(200);
        List<MutableSpan> spans = stack.spans.await(SPANS_PER_PAGE);
        assertThat(spans).allMatch(span -> span.traceId().equals(traceId));
        MutableSpan root = only(spans, span -> callerSpanId.equals(span.parentId()));
        assertThat(root.localServiceName()).isEqualTo("alice/aggregator");
        assertThat(spans).filteredOn(span -> span.parentId() == null).isEmpty();
    }

    @Test
    void b3HeadersJoinTheirTrace() throws Exception {
        String traceId = "463ac35c9f6413ad48485a3953bb6124";
        String callerSpanId = "a2fb4a1d1a96d312";

        HttpResponse<String> response = Http.get(
                stack.url(ServiceKind.AGGREGATOR) + "/",
                "X-B3-TraceId",
                traceId,
                "X-B3-SpanId",
                callerSpanId,
                "X-B3-Sampled",
                "1");

        assertThat(response.statusCode()).isEqualTo(200);
        List<MutableSpan> spans = stack.spans.await(SPANS_PER_PAGE);
        assertThat(spans).allMatch(span -> span.traceId().equals(traceId));
        assertThat(only(spans, span -> callerSpanId.equals(span.parentId())).localServiceName())
                .isEqualTo("alice/aggregator");
    }

    @Test
    void aB3SingleHeaderJoinsItsTrace() throws Exception {
        String traceId = "80f198ee56343ba864fe8b2a57d3eff7";
        String callerSpanId = "e457b5a2e4d86bd1";

        HttpResponse<String> response =
                Http.get(stack.url(ServiceKind.USERS) + "/2", "b3", traceId + "-" + callerSpanId + "-1");

        assertThat(response.statusCode()).isEqualTo(200);
        MutableSpan span = stack.spans.await(1).get(0);
        assertThat(span.traceId()).isEqualTo(traceId);
        assertThat(span.parentId()).isEqualTo(callerSpanId);
    }

    @Test
    void aCallerThatSaysNotSampledIsObeyed() throws Exception {
        Http.get(
                stack.url(ServiceKind.USERS) + "/2",
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
        // A later, sampled request is the barrier: had the first been recorded, it would have finished first.
        Http.get(stack.url(ServiceKind.USERS) + "/3");

        MutableSpan only = stack.spans.await(1).get(0);
        assertThat(only.tag("http.path")).isEqualTo("/3");
        assertThat(stack.spans.all()).hasSize(1);
    }

    @Test
    void healthAnswersWithoutASpan() throws Exception {
        for (ServiceKind kind : ServiceKind.values()) {
            HttpResponse<String> health = Http.get(stack.url(kind) + "/health");
            assertThat(health.statusCode()).as(kind.id()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
        }
        Http.get(stack.url(ServiceKind.AUTH) + "/?user=2");

        assertThat(stack.spans.await(1))
                .singleElement()
                .satisfies(span -> assertThat(span.localServiceName()).isEqualTo("alice/auth"));
    }

    @Test
    void eachServiceAnswersItsOwnPaths() throws Exception {
        assertThat(Http.get(stack.url(ServiceKind.USERS) + "/").body()).contains("Emeka Obi");
        assertThat(Http.get(stack.url(ServiceKind.SONGS) + "/?ids=12,7").body())
                .matches("(?s).*Hallelujah.*Hey Jude.*");
        assertThat(Http.get(stack.url(ServiceKind.PLAYLISTS) + "/2").body()).contains("Chega de Saudade");
        assertThat(Http.get(stack.url(ServiceKind.AUTH) + "/?user=9").body()).contains("\"authenticated\":false");

        HttpResponse<String> missing = Http.get(stack.url(ServiceKind.USERS) + "/42");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("there is no user '42'");
        HttpResponse<String> badQuery = Http.get(stack.url(ServiceKind.SONGS) + "/?ids=1,x");
        assertThat(badQuery.statusCode()).isEqualTo(400);
        assertThat(badQuery.body()).contains("query 'ids' has 'x'");
        HttpResponse<String> nowhere = Http.get(stack.url(ServiceKind.AGGREGATOR) + "/admin/users");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.body()).contains("service 'aggregator' has no '/admin/users'");
    }

    private static MutableSpan only(List<MutableSpan> spans, Predicate<MutableSpan> which) {
        List<MutableSpan> matching = spans.stream().filter(which).toList();
        assertThat(matching).as("spans matching in %s", spans).hasSize(1);
        return matching.get(0);
    }

    private static List<MutableSpan> childrenOf(List<MutableSpan> spans, MutableSpan parent) {
        return spans.stream()
                .filter(span -> parent.id().equals(span.parentId()))
                .toList();
    }

    private static MutableSpan serverOf(List<MutableSpan> spans, String service, MutableSpan root) {
        Set<String> callIds =
                childrenOf(spans, root).stream().map(MutableSpan::id).collect(Collectors.toSet());
        return only(
                spans,
                span -> span.kind() == Kind.SERVER
                        && service.equals(span.localServiceName())
                        && callIds.contains(span.parentId()));
    }
}
