package emp.tracing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import brave.Span;
import brave.Tracer;
import brave.Tracing;
import emp.spi.tracing.Span.Kind;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * Real Brave tracers, reporting as the apps do (zipkin-reporter's URLConnectionSender, gzipped, in JSON v2 and in
 * proto3), to the collector served the way the host serves it.
 */
class BraveReportingTest {
    @ParameterizedTest
    @EnumSource(
            value = Encoding.class,
            names = {"JSON", "PROTO3"})
    void spansFromBraveArriveInTheSink(Encoding encoding) throws IOException {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = new HttpTraceSource(
                        HttpTraceConfig.defaults(), URI.create("http://127.0.0.1:7070"), Clock.systemUTC());
                SpansEndpoint endpoint = new SpansEndpoint(source);
                // One reporter per app, each with its own credential in the endpoint's query, as replicas get it.
                URLConnectionSender aggregatorSender = URLConnectionSender.newBuilder()
                        .endpoint(endpoint.url(SampleSpans.AGGREGATOR))
                        .encoding(encoding)
                        .build();
                URLConnectionSender songsSender = URLConnectionSender.newBuilder()
                        .endpoint(endpoint.url(SampleSpans.SONGS))
                        .encoding(encoding)
                        .build();
                AsyncZipkinSpanHandler aggregatorHandler = AsyncZipkinSpanHandler.create(aggregatorSender);
                AsyncZipkinSpanHandler songsHandler = AsyncZipkinSpanHandler.create(songsSender);
                Tracing aggregator = Tracing.newBuilder()
                        .localServiceName("alice/aggregator")
                        .addSpanHandler(aggregatorHandler)
                        .build();
                Tracing songs = Tracing.newBuilder()
                        .localServiceName("alice/songs")
                        .addSpanHandler(songsHandler)
                        .build()) {
            source.start(sink);

            // aggregator serves GET / and calls songs, which joins the call (B3 shared span id) and fails.
            Tracer tracer = aggregator.tracer();
            Span server = tracer.newTrace().name("get /").kind(Span.Kind.SERVER).start();
            Span client = tracer.newChild(server.context())
                    .name("get /songs")
                    .kind(Span.Kind.CLIENT)
                    .remoteServiceName("alice/songs")
                    .start();
            Span joined = songs.tracer()
                    .joinSpan(client.context())
                    .name("get /songs")
                    .kind(Span.Kind.SERVER)
                    .tag("http.status_code", "500")
                    .start();
            joined.error(new IllegalStateException("no such song"));
            joined.finish();
            client.finish();
            server.finish();
            aggregatorHandler.flush();
            songsHandler.flush();

            await().until(() -> sink.spans().size() == 3);
            List<emp.spi.tracing.Span> spans = sink.spans();
            String traceId = server.context().traceIdString();
            String rootId = server.context().spanIdString();
            String callId = client.context().spanIdString();
            assertThat(spans)
                    .extracting(
                            emp.spi.tracing.Span::traceId,
                            emp.spi.tracing.Span::id,
                            emp.spi.tracing.Span::parentId,
                            emp.spi.tracing.Span::kind,
                            emp.spi.tracing.Span::localService,
                            emp.spi.tracing.Span::shared)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(
                                    traceId, rootId, null, Kind.SERVER, "alice/aggregator", false),
                            org.assertj.core.groups.Tuple.tuple(
                                    traceId, callId, rootId, Kind.CLIENT, "alice/aggregator", false),
                            org.assertj.core.groups.Tuple.tuple(
                                    traceId, callId, rootId, Kind.SERVER, "alice/songs", true));
            emp.spi.tracing.Span failed = spans.stream()
                    .filter(emp.spi.tracing.Span::shared)
                    .findFirst()
                    .orElseThrow();
            assertThat(failed.isError()).isTrue();
            assertThat(failed.tags()).containsAllEntriesOf(Map.of("error", "no such song", "http.status_code", "500"));
            assertThat(failed.name()).isEqualTo("get /songs");
            assertThat(spans)
                    .filteredOn(span -> span.kind() == Kind.CLIENT)
                    .singleElement()
                    .satisfies(span -> assertThat(span.remoteService()).isEqualTo("alice/songs"));
            assertThat(spans).allSatisfy(span -> {
                assertThat(span.timestampMicros()).isPositive();
                assertThat(span.durationMicros()).isPositive();
            });

            String contentType = encoding == Encoding.PROTO3 ? "application/x-protobuf" : "application/json";
            assertThat(endpoint.requests()).isNotEmpty().allSatisfy(request -> {
                assertThat(request.status()).isEqualTo(202);
                assertThat(request.contentType()).isEqualTo(contentType);
                assertThat(request.contentEncoding()).isEqualTo("gzip");
            });
        }
    }
}
