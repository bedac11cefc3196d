package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceHeadersTest {
    static final String TRACE_128 = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String TRACE_64 = "463ac35c9f6413ad";
    static final String SPAN = "00f067aa0ba902b7";
    static final String OTHER_SPAN = "a2fb4a1d1a96d312";

    @Test
    void noHeadersStartANewSampledTraceWith128BitIds() {
        TraceContext first = TraceHeaders.join(headers(Map.of()));
        TraceContext second = TraceHeaders.join(headers(Map.of()));

        assertThat(first.traceId()).matches("[0-9a-f]{32}").doesNotStartWith("0000000000000000");
        assertThat(first.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
        assertThat(first.parentSpanId()).isNull();
        assertThat(first.sampled()).isTrue();
        assertThat(second.traceId()).isNotEqualTo(first.traceId());
        assertThat(second.spanId()).isNotEqualTo(first.spanId());
    }

    @Test
    void b3MultiIsJoinedKeepingTheTraceIdsWidth() {
        TraceContext span = TraceHeaders.join(headers(Map.of(
                "X-B3-TraceId", TRACE_64,
                "X-B3-SpanId", SPAN,
                "X-B3-ParentSpanId", OTHER_SPAN,
                "X-B3-Sampled", "1")));

        assertThat(span.traceId()).isEqualTo(TRACE_64);
        assertThat(span.parentSpanId()).isEqualTo(SPAN);
        assertThat(span.spanId()).matches("[0-9a-f]{16}").isNotIn(SPAN, OTHER_SPAN);
        assertThat(span.sampled()).isTrue();
    }

    @Test
    void idsAreNormalizedAsZipkinStoresThem() {
        TraceContext upper = TraceHeaders.join(
                headers(Map.of("X-B3-TraceId", TRACE_128.toUpperCase(), "X-B3-SpanId", SPAN.toUpperCase())));
        assertThat(upper.traceId()).isEqualTo(TRACE_128);
        assertThat(upper.parentSpanId()).isEqualTo(SPAN);

        TraceContext short64 = TraceHeaders.join(headers(Map.of("X-B3-TraceId", "abc", "X-B3-SpanId", "def")));
        assertThat(short64.traceId()).isEqualTo("0000000000000abc");
        assertThat(short64.parentSpanId()).isEqualTo("0000000000000def");

        TraceContext zeroHigh = TraceHeaders.join(
                headers(Map.of("traceparent", "00-0000000000000000" + TRACE_64 + "-" + SPAN + "-01")));
        assertThat(zeroHigh.traceId()).isEqualTo(TRACE_64);
    }

    @Test
    void b3MultiSamplingDecisionIsKept() {
        assertThat(TraceHeaders.join(
                                headers(Map.of("X-B3-TraceId", TRACE_64, "X-B3-SpanId", SPAN, "X-B3-Sampled", "0")))
                        .sampled())
                .isFalse();
        assertThat(TraceHeaders.join(headers(Map.of(
                                "X-B3-TraceId", TRACE_64, "X-B3-SpanId", SPAN, "X-B3-Sampled", "0", "X-B3-Flags", "1")))
                        .sampled())
                .as("debug")
                .isTrue();
        TraceContext decisionOnly = TraceHeaders.join(headers(Map.of("X-B3-Sampled", "0")));
        assertThat(decisionOnly.sampled()).isFalse();
        assertThat(decisionOnly.parentSpanId()).isNull();
        TraceContext badFlag = TraceHeaders.join(
                headers(Map.of("X-B3-TraceId", TRACE_64, "X-B3-SpanId", SPAN, "X-B3-Sampled", "maybe")));
        assertThat(badFlag.traceId())
                .as("a bad flag alone does not lose the ids")
                .isEqualTo(TRACE_64);
        assertThat(badFlag.sampled()).isTrue();
    }

    @Test
    void b3SingleIsJoined() {
        TraceContext full = TraceHeaders.join(headers(Map.of("b3", TRACE_128 + "-" + SPAN + "-0-" + OTHER_SPAN)));
        assertThat(full.traceId()).isEqualTo(TRACE_128);
        assertThat(full.parentSpanId()).isEqualTo(SPAN);
        assertThat(full.sampled()).isFalse();

        TraceContext idsOnly = TraceHeaders.join(headers(Map.of("b3", TRACE_64 + "-" + SPAN)));
        assertThat(idsOnly.traceId()).isEqualTo(TRACE_64);
        assertThat(idsOnly.sampled()).isTrue();

        TraceContext debug = TraceHeaders.join(headers(Map.of("b3", TRACE_64 + "-" + SPAN + "-d")));
        assertThat(debug.sampled()).isTrue();

        TraceContext decisionOnly = TraceHeaders.join(headers(Map.of("b3", "0")));
        assertThat(decisionOnly.parentSpanId()).isNull();
        assertThat(decisionOnly.sampled()).isFalse();
    }

    @Test
    void traceparentIsJoined() {
        TraceContext sampled =
                TraceHeaders.join(headers(Map.of("traceparent", "00-" + TRACE_128 + "-" + SPAN + "-01")));
        assertThat(sampled.traceId()).isEqualTo(TRACE_128);
        assertThat(sampled.parentSpanId()).isEqualTo(SPAN);
        assertThat(sampled.sampled()).isTrue();

        TraceContext notSampled =
                TraceHeaders.join(headers(Map.of("traceparent", "00-" + TRACE_128 + "-" + SPAN + "-00")));
        assertThat(notSampled.sampled()).isFalse();

        TraceContext laterVersion =
                TraceHeaders.join(headers(Map.of("traceparent", "01-" + TRACE_128 + "-" + SPAN + "-03-what-next")));
        assertThat(laterVersion.parentSpanId())
                .as("a later version is read as 00")
                .isEqualTo(SPAN);
    }

    @Test
    void b3SingleWinsOverB3MultiWhichWinsOverTraceparent() {
        String w3c = "00-" + TRACE_128 + "-" + SPAN + "-01";
        assertThat(TraceHeaders.join(headers(Map.of(
                                "b3",
                                TRACE_64 + "-" + OTHER_SPAN,
                                "X-B3-TraceId",
                                "1111111111111111",
                                "X-B3-SpanId",
                                SPAN,
                                "traceparent",
                                w3c)))
                        .traceId())
                .isEqualTo(TRACE_64);
        assertThat(TraceHeaders.join(headers(
                                Map.of("X-B3-TraceId", TRACE_64, "X-B3-SpanId", OTHER_SPAN, "traceparent", w3c)))
                        .parentSpanId())
                .isEqualTo(OTHER_SPAN);
        assertThat(TraceHeaders.join(headers(Map.of("b3", "not-valid-at-all", "traceparent", w3c)))
                        .traceId())
                .as("a malformed header is skipped for the next one")
                .isEqualTo(TRACE_128);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "traceparent=ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "traceparent=00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "traceparent=00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
                "traceparent=",
                "b3=463ac35c9f6413ad-00f067aa0ba902b7-x",
                "b3=463ac35c9f6413ad",
                "b3=463ac35c9f6413ad-00f067aa0ba902b7-1-nothex",
                "b3=463ac35c9f6413ad-00f067aa0ba902b7-1-00f067aa0ba902b7-5",
                "b3=463ac35c9f6413ad463ac35c9f6413ad0-00f067aa0ba902b7",
                "X-B3-TraceId=463ac35c9f6413ad",
                "X-B3-SpanId=00f067aa0ba902b7",
                "X-B3-TraceId=0000000000000000",
                "X-B3-TraceId=463ac35c9f6413ad;X-B3-SpanId=00f067aa0ba902b70",
                "X-B3-TraceId=g63ac35c9f6413ad;X-B3-SpanId=00f067aa0ba902b7",
            })
    void malformedHeadersAreIgnoredForANewTrace(String given) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String header : given.split(";")) {
            String[] pair = header.split("=", 2);
            headers.add(pair[0], pair[1]);
        }

        TraceContext span = TraceHeaders.join(headers);

        assertThat(span.traceId()).matches("[0-9a-f]{32}").isNotIn(TRACE_128, TRACE_64);
        assertThat(span.parentSpanId()).isNull();
        assertThat(span.sampled()).isTrue();
    }

    @Test
    void injectReplacesEveryIncomingTraceHeaderWithTheGatewaysSpan() {
        HttpHeaders headers = headers(Map.of(
                "b3",
                TRACE_128 + "-" + SPAN,
                "X-B3-TraceId",
                TRACE_128,
                "X-B3-SpanId",
                SPAN,
                "X-B3-ParentSpanId",
                OTHER_SPAN,
                "X-B3-Flags",
                "1",
                "traceparent",
                "00-" + TRACE_128 + "-" + SPAN + "-01",
                "tracestate",
                "vendor=opaque"));
        TraceContext child = TraceContext.childOf(TRACE_64, SPAN, false);

        TraceHeaders.inject(child, headers);

        assertThat(headers.get("X-B3-TraceId")).isEqualTo(TRACE_64);
        assertThat(headers.get("X-B3-SpanId")).isEqualTo(child.spanId());
        assertThat(headers.get("X-B3-ParentSpanId")).isEqualTo(SPAN);
        assertThat(headers.get("X-B3-Sampled")).isEqualTo("0");
        assertThat(headers.get("traceparent"))
                .isEqualTo("00-0000000000000000" + TRACE_64 + "-" + child.spanId() + "-00");
        assertThat(headers.contains("b3")).isFalse();
        assertThat(headers.contains("X-B3-Flags")).isFalse();
        assertThat(headers.get("tracestate")).isEqualTo("vendor=opaque");
        assertThat(headers.getAll("X-B3-TraceId")).hasSize(1);

        TraceContext root = TraceContext.newTrace(true);
        TraceHeaders.inject(root, headers);
        assertThat(headers.contains("X-B3-ParentSpanId"))
                .as("a root span has no parent")
                .isFalse();
        assertThat(headers.get("traceparent")).isEqualTo("00-" + root.traceId() + "-" + root.spanId() + "-01");
    }

    private static HttpHeaders headers(Map<String, String> values) {
        HttpHeaders headers = new DefaultHttpHeaders();
        values.forEach(headers::add);
        return headers;
    }
}
