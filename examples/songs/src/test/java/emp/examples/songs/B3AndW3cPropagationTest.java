package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;

import brave.Span;
import brave.propagation.Propagation;
import brave.propagation.TraceContext;
import brave.propagation.TraceContextOrSamplingFlags;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class B3AndW3cPropagationTest {
    private static final Propagation<String> PROPAGATION = B3AndW3cPropagation.FACTORY.get();
    private static final TraceContext CONTEXT = TraceContext.newBuilder()
            .traceIdHigh(0x463ac35c9f6413adL)
            .traceId(0x48485a3953bb6124L)
            .parentId(0x1L)
            .spanId(0xa2fb4a1d1a96d312L)
            .sampled(true)
            .build();

    /** Headers as a client writes them: the setter says it is a client's, which picks the B3 formats. */
    private static final Propagation.RemoteSetter<Map<String, String>> CLIENT_SETTER =
            new Propagation.RemoteSetter<>() {
                @Override
                public Span.Kind spanKind() {
                    return Span.Kind.CLIENT;
                }

                @Override
                public void put(Map<String, String> headers, String name, String value) {
                    headers.put(name, value);
                }
            };

    @Test
    void aClientWritesB3MultiB3SingleAndTraceparent() {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        PROPAGATION.injector(CLIENT_SETTER).inject(CONTEXT, headers);

        assertThat(headers)
                .containsEntry("X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124")
                .containsEntry("X-B3-SpanId", "a2fb4a1d1a96d312")
                .containsEntry("X-B3-ParentSpanId", "0000000000000001")
                .containsEntry("X-B3-Sampled", "1")
                .containsEntry("b3", "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1")
                .containsEntry("traceparent", "00-463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-01");
        assertThat(PROPAGATION.keys()).contains("b3", "X-B3-TraceId", "traceparent");
    }

    @Test
    void readsEachFormatAlone() {
        TraceContextOrSamplingFlags fromW3c =
                extract(Map.of("traceparent", "00-463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-01"));
        TraceContextOrSamplingFlags fromB3Single =
                extract(Map.of("b3", "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1"));
        TraceContextOrSamplingFlags fromB3Multi = extract(Map.of(
                "X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124",
                "X-B3-SpanId", "a2fb4a1d1a96d312",
                "X-B3-Sampled", "1"));

        for (TraceContextOrSamplingFlags extracted :
                new TraceContextOrSamplingFlags[] {fromW3c, fromB3Single, fromB3Multi}) {
            assertThat(extracted.context()).isNotNull();
            assertThat(extracted.context().traceIdString()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
            assertThat(extracted.context().spanIdString()).isEqualTo("a2fb4a1d1a96d312");
            assertThat(extracted.sampled()).isTrue();
        }
    }

    @Test
    void b3WinsWhenARequestCarriesBoth() {
        TraceContextOrSamplingFlags extracted = extract(Map.of(
                "b3", "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1",
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

        assertThat(extracted.context().traceIdString()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
    }

    @Test
    void aTraceparentStillCountsBesideAB3SamplingDecisionAlone() {
        TraceContextOrSamplingFlags extracted =
                extract(Map.of("b3", "1", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

        assertThat(extracted.context().traceIdString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void noHeadersIsNoContext() {
        assertThat(extract(Map.of()).context()).isNull();
        assertThat(extract(Map.of("traceparent", "nonsense")).context()).isNull();
    }

    @Test
    void neverJoinsAndAlwaysUses128BitTraceIds() {
        assertThat(B3AndW3cPropagation.FACTORY.supportsJoin()).isFalse();
        assertThat(B3AndW3cPropagation.FACTORY.requires128BitTraceId()).isTrue();
    }

    private static TraceContextOrSamplingFlags extract(Map<String, String> headers) {
        Map<String, String> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseless.putAll(headers);
        return PROPAGATION.<Map<String, String>>extractor(Map::get).extract(caseless);
    }
}
