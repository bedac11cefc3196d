package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;

import brave.propagation.TraceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceparentTest {
    @Test
    void readsTheSpecificationsExample() {
        TraceContext context = Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        assertThat(context.traceIdString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(context.spanIdString()).isEqualTo("00f067aa0ba902b7");
        assertThat(context.sampled()).isTrue();
    }

    @Test
    void theSampledFlagIsBitZero() {
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                        .sampled())
                .isFalse();
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")
                        .sampled())
                .isTrue();
    }

    @Test
    void writesWhatItReads() {
        String header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        assertThat(Traceparent.format(Traceparent.parse(header))).isEqualTo(header);
    }

    @Test
    void padsA64BitTraceIdTo32HexDigits() {
        TraceContext context = TraceContext.newBuilder()
                .traceId(0xabcL)
                .spanId(0x1L)
                .sampled(false)
                .build();

        assertThat(Traceparent.format(context)).isEqualTo("00-00000000000000000000000000000abc-0000000000000001-00");
    }

    @Test
    void aLaterVersionIsReadByItsVersion00Prefix() {
        TraceContext context =
                Traceparent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next");

        assertThat(context.spanIdString()).isEqualTo("00f067aa0ba902b7");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "garbage",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // version 00 is exactly 55 characters
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
                "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x" // later version, no dash after flags
            })
    void aMalformedHeaderIsIgnored(String header) {
        assertThat(Traceparent.parse(header)).isNull();
    }

    @Test
    void noHeaderIsNoContext() {
        assertThat(Traceparent.parse(null)).isNull();
    }
}
