package emp.bench.spans;

import com.sun.management.ThreadMXBean;
import emp.plugins.zipkin.JsonSpanDecoder;
import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.tracing.Span;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.codec.SpanBytesEncoder;

/**
 * Decodes the same span bodies (songs-shaped traces, one JSON v2 list per service, as the ingest bench sends them) with
 * zipkin2's codec followed by the conversion to EMP's spans, and with EMP's {@code JsonSpanDecoder}, in turns, on
 * one thread; prints per decoder and round the time and the bytes allocated per span.
 *
 * <p>DecodeBench BODIES ROUNDS
 */
public final class DecodeBench {
    private DecodeBench() {}

    public static void main(String[] args) {
        int bodies = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        TraceFactory factory = new TraceFactory("bench");
        List<byte[]> messages = new ArrayList<>();
        long bytes = 0;
        while (messages.size() < bodies) {
            for (Map.Entry<String, List<zipkin2.Span>> service :
                    TraceFactory.byService(factory.traces(10)).entrySet()) {
                byte[] body = SpanBytesEncoder.JSON_V2.encodeList(service.getValue());
                messages.add(body);
                bytes += body.length;
            }
        }
        long spans = 0;
        for (byte[] message : messages) {
            List<Span> zipkin = ZipkinSpans.toEmp(SpanBytesDecoder.JSON_V2.decodeList(message));
            if (!zipkin.equals(JsonSpanDecoder.decodeList(message))) {
                throw new IllegalStateException("the decoders disagree on a body");
            }
            spans += zipkin.size();
        }
        System.out.printf("decode: %d bodies, %d spans, %d bytes a span%n", messages.size(), spans, bytes / spans);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int round = 1; round <= rounds; round++) {
            for (String decoder : List.of("zipkin2", "emp")) {
                long allocatedBefore = threads.getThreadAllocatedBytes(thread);
                long began = System.nanoTime();
                long decoded = 0;
                for (byte[] message : messages) {
                    decoded += decoder.equals("emp")
                            ? JsonSpanDecoder.decodeList(message).size()
                            : ZipkinSpans.toEmp(SpanBytesDecoder.JSON_V2.decodeList(message))
                                    .size();
                }
                long nanos = System.nanoTime() - began;
                long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
                System.out.printf(
                        "decode round %d %-7s %6.0f ns a span, %9.0f spans/s, %5d bytes allocated a span%n",
                        round,
                        decoder,
                        (double) nanos / decoded,
                        decoded * 1e9 / nanos,
                        allocated / decoded);
            }
        }
    }
}
