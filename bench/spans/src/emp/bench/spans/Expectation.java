package emp.bench.spans;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zipkin2.Span;

/**
 * What a window of EMP's should say of each app under {@link TraceFactory}'s traces, whatever their rate: the requests
 * each app serves per trace (its server spans) and the 50th and 95th percentiles of their durations, measured on
 * TRACES traces made here and never sent. bench/span-ingest.sh compares each app's window with these, scaled by the
 * traces per second EMP took in.
 *
 * <pre>
 * Expectation USER [TRACES]
 * </pre>
 *
 * prints {@code expect APP per_trace=K p50_ms=X p95_ms=Y} a line per app.
 */
public final class Expectation {
    private Expectation() {}

    public static void main(String[] args) {
        TraceFactory factory = new TraceFactory(args[0]);
        int traces = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Map<String, List<Long>> durations = new LinkedHashMap<>();
        factory.services().forEach(service -> durations.put(service, new ArrayList<>()));
        for (Span span : factory.traces(traces)) {
            if (span.kind() == Span.Kind.SERVER) {
                durations.get(span.localServiceName()).add(span.durationAsLong());
            }
        }
        durations.forEach((service, values) -> {
            long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            System.out.printf(
                    "expect %s per_trace=%.4f p50_ms=%.3f p95_ms=%.3f%n",
                    service.substring(service.indexOf('/') + 1),
                    (double) sorted.length / traces,
                    percentile(sorted, 0.50) / 1000.0,
                    percentile(sorted, 0.95) / 1000.0);
        });
    }

    private static long percentile(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
