package emp.tracing.http;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import zipkin2.Endpoint;
import zipkin2.codec.SpanBytesEncoder;

/**
 * One trace as a Zipkin client would report it, in the zipkin2 model, and the EMP spans it must become: a server span
 * in {@code alice/aggregator}, its client call to {@code alice/songs}, the songs server span that joins the call (B3
 * "shared" id) and fails, and a local span that has neither timestamp nor duration.
 */
final class SampleSpans {
    static final String TRACE_ID = "463ac35c9f6413ad48485a3953bb6124";
    static final long START = 1_700_000_000_000_000L;
    static final AppRef AGGREGATOR = new AppRef("alice", "aggregator");
    static final AppRef SONGS = new AppRef("alice", "songs");

    private SampleSpans() {}

    static List<zipkin2.Span> zipkin() {
        Endpoint aggregator = Endpoint.newBuilder()
                .serviceName("alice/aggregator")
                .ip("127.0.0.1")
                .port(9000)
                .build();
        Endpoint songs = Endpoint.newBuilder()
                .serviceName("alice/songs")
                .ip("127.0.0.1")
                .port(9001)
                .build();
        return List.of(
                zipkin2.Span.newBuilder()
                        .traceId(TRACE_ID)
                        .id("a000000000000001")
                        .name("get /")
                        .kind(zipkin2.Span.Kind.SERVER)
                        .localEndpoint(aggregator)
                        .timestamp(START)
                        .duration(25_000)
                        .putTag("http.method", "GET")
                        .putTag("http.path", "/")
                        .build(),
                zipkin2.Span.newBuilder()
                        .traceId(TRACE_ID)
                        .parentId("a000000000000001")
                        .id("b000000000000002")
                        .name("get /songs")
                        .kind(zipkin2.Span.Kind.CLIENT)
                        .localEndpoint(aggregator)
                        .remoteEndpoint(songs)
                        .timestamp(START + 1_000)
                        .duration(20_000)
                        .putTag("http.path", "/songs")
                        .build(),
                zipkin2.Span.newBuilder()
                        .traceId(TRACE_ID)
                        .parentId("a000000000000001")
                        .id("b000000000000002")
                        .name("get /songs")
                        .kind(zipkin2.Span.Kind.SERVER)
                        .shared(true)
                        .localEndpoint(songs)
                        .remoteEndpoint(aggregator)
                        .timestamp(START + 2_000)
                        .duration(18_000)
                        .putTag("http.status_code", "500")
                        .putTag("error", "no such song")
                        .build(),
                zipkin2.Span.newBuilder()
                        .traceId(TRACE_ID)
                        .parentId("b000000000000002")
                        .id("c000000000000003")
                        .name("select songs")
                        .localEndpoint(songs)
                        .build());
    }

    static List<Span> emp() {
        return List.of(
                new Span(
                        TRACE_ID,
                        "a000000000000001",
                        null,
                        "get /",
                        Span.Kind.SERVER,
                        "alice/aggregator",
                        null,
                        START,
                        25_000,
                        Map.of("http.method", "GET", "http.path", "/"),
                        false),
                new Span(
                        TRACE_ID,
                        "b000000000000002",
                        "a000000000000001",
                        "get /songs",
                        Span.Kind.CLIENT,
                        "alice/aggregator",
                        "alice/songs",
                        START + 1_000,
                        20_000,
                        Map.of("http.path", "/songs"),
                        false),
                new Span(
                        TRACE_ID,
                        "b000000000000002",
                        "a000000000000001",
                        "get /songs",
                        Span.Kind.SERVER,
                        "alice/songs",
                        "alice/aggregator",
                        START + 2_000,
                        18_000,
                        Map.of("http.status_code", "500", "error", "no such song"),
                        true),
                new Span(
                        TRACE_ID,
                        "c000000000000003",
                        "b000000000000002",
                        "select songs",
                        null,
                        "alice/songs",
                        null,
                        0,
                        0,
                        Map.of(),
                        false));
    }

    static byte[] json() {
        return SpanBytesEncoder.JSON_V2.encodeList(zipkin());
    }

    static byte[] proto3() {
        return SpanBytesEncoder.PROTO3.encodeList(zipkin());
    }

    /** The spans of {@link #zipkin} that {@code sender} reports, its local service's, in JSON v2. */
    static byte[] json(AppRef sender) {
        return SpanBytesEncoder.JSON_V2.encodeList(of(sender));
    }

    /** The same in proto3. */
    static byte[] proto3(AppRef sender) {
        return SpanBytesEncoder.PROTO3.encodeList(of(sender));
    }

    private static List<zipkin2.Span> of(AppRef sender) {
        return zipkin().stream()
                .filter(span -> sender.toString().equals(span.localServiceName()))
                .toList();
    }

    /** {@code count} server spans of one trace, ids 1 to count, in JSON v2. */
    static byte[] jsonOf(int count) {
        return SpanBytesEncoder.JSON_V2.encodeList(numbered(0, count));
    }

    /** Server spans with ids {@code first + 1} to {@code first + count}. */
    static List<zipkin2.Span> numbered(int first, int count) {
        return java.util.stream.IntStream.rangeClosed(first + 1, first + count)
                .mapToObj(i -> zipkin2.Span.newBuilder()
                        .traceId(TRACE_ID)
                        .id(i)
                        .name("get /" + i)
                        .kind(zipkin2.Span.Kind.SERVER)
                        .localEndpoint(
                                Endpoint.newBuilder().serviceName("alice/songs").build())
                        .timestamp(START + i)
                        .duration(1_000)
                        .build())
                .toList();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
