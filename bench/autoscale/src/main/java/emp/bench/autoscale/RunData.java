package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Everything one run (a policy in a scenario) recorded, and its files under the results folder:
 * {@code <scenario>-<policy>.load.csv} (the load per second), {@code .apps.csv} (every app's replicas and figures per
 * second), {@code .events.csv} (the apps' event logs) and {@code .run.json} (the run's settings and the histogram of
 * every measured latency), so the report can be drawn again, or from runs made at different times.
 *
 * @param warmup       seconds of warm-up before second 0 (recorded with negative seconds)
 * @param length       measured seconds
 * @param changeAt     when the step, the spike or the cost change starts
 * @param changeLength how long a step holds or a spike lasts, or a wave's period (0 when it does not apply)
 * @param dropAt       when the load or the cost goes back to the base; NaN when it does not
 * @param entryApp     the app the load is sent to, whose p95 is judged
 * @param targetMs     the entry app's p95 target
 * @param bottleneck   the app the step needs more replicas of
 * @param baseReplicas the bottleneck's replicas the base load needs
 * @param overall      every latency of the measured part, in microseconds
 */
public record RunData(
        String scenario,
        String policy,
        String description,
        int warmup,
        int length,
        double changeAt,
        double changeLength,
        double dropAt,
        String entryApp,
        double targetMs,
        String bottleneck,
        int baseReplicas,
        List<LoadRow> load,
        List<AppSample> apps,
        List<ScaleEvent> events,
        Histogram overall) {
    public RunData {
        requireNonNull(scenario, "scenario is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(description, "description is null");
        requireNonNull(entryApp, "entryApp is null");
        requireNonNull(bottleneck, "bottleneck is null");
        load = List.copyOf(load);
        apps = List.copyOf(apps);
        events = List.copyOf(events);
        requireNonNull(overall, "overall is null");
    }

    static String baseName(String scenario, String policy) {
        return scenario + "-" + policy;
    }

    void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        String base = baseName(scenario, policy);
        List<String> lines = new ArrayList<>();
        lines.add("second,target_rps,sent,completed,errors,p50_ms,p95_ms,p99_ms");
        for (LoadRow row : load) {
            lines.add(String.format(
                    Locale.ROOT,
                    "%d,%.2f,%d,%d,%d,%s,%s,%s",
                    row.second(),
                    row.targetRps(),
                    row.sent(),
                    row.completed(),
                    row.errors(),
                    number(row.p50Ms()),
                    number(row.p95Ms()),
                    number(row.p99Ms())));
        }
        Files.write(folder.resolve(base + ".load.csv"), lines);
        lines.clear();
        lines.add("second,app,desired,ready,rate,p95_ms,self_ms,concurrency");
        for (AppSample sample : apps) {
            lines.add(String.format(
                    Locale.ROOT,
                    "%d,%s,%d,%d,%.2f,%s,%s,%.2f",
                    sample.second(),
                    sample.app(),
                    sample.desired(),
                    sample.ready(),
                    sample.rate(),
                    number(sample.p95Ms()),
                    number(sample.selfMs()),
                    sample.concurrency()));
        }
        Files.write(folder.resolve(base + ".apps.csv"), lines);
        lines.clear();
        lines.add("second,app,type,message");
        for (ScaleEvent event : events) {
            lines.add(event.second() + "," + event.app() + "," + event.type() + ",\""
                    + event.message().replace("\"", "\"\"").replace('\n', ' ') + "\"");
        }
        Files.write(folder.resolve(base + ".events.csv"), lines);
        ByteBuffer buffer = ByteBuffer.allocate(overall.getNeededByteBufferCapacity());
        int size = overall.encodeIntoCompressedByteBuffer(buffer);
        ObjectNode meta = EmpApi.JSON
                .createObjectNode()
                .put("scenario", scenario)
                .put("policy", policy)
                .put("description", description)
                .put("warmup", warmup)
                .put("length", length)
                .put("change_at", changeAt)
                .put("change_length", changeLength)
                .put("entry_app", entryApp)
                .put("target_ms", targetMs)
                .put("bottleneck", bottleneck)
                .put("base_replicas", baseReplicas)
                .put(
                        "overall_micros_hdr",
                        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), size)));
        if (!Double.isNaN(dropAt)) {
            meta.put("drop_at", dropAt);
        }
        Files.writeString(
                folder.resolve(base + ".run.json"),
                EmpApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /**
     * Reads a run written by {@link #write}, or fails naming the file that is missing or broken. A run written before
     * the phases had a drop reads as the songs stack's: entered by the aggregator, songs the bottleneck at 1 replica,
     * no drop.
     */
    static RunData read(Path folder, String scenario, String policy) throws IOException {
        String base = baseName(scenario, policy);
        JsonNode meta = EmpApi.JSON.readTree(Files.readString(folder.resolve(base + ".run.json")));
        List<LoadRow> load = new ArrayList<>();
        for (String line : body(folder.resolve(base + ".load.csv"))) {
            String[] f = line.split(",", -1);
            load.add(new LoadRow(
                    Integer.parseInt(f[0]),
                    Double.parseDouble(f[1]),
                    Long.parseLong(f[2]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]),
                    Double.parseDouble(f[7])));
        }
        List<AppSample> apps = new ArrayList<>();
        for (String line : body(folder.resolve(base + ".apps.csv"))) {
            String[] f = line.split(",", -1);
            apps.add(new AppSample(
                    Integer.parseInt(f[0]),
                    f[1],
                    Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]),
                    Double.parseDouble(f[7])));
        }
        List<ScaleEvent> events = new ArrayList<>();
        for (String line : body(folder.resolve(base + ".events.csv"))) {
            String[] f = line.split(",", 4);
            String message = f[3];
            if (message.startsWith("\"") && message.endsWith("\"")) {
                message = message.substring(1, message.length() - 1).replace("\"\"", "\"");
            }
            events.add(new ScaleEvent(Integer.parseInt(f[0]), f[1], f[2], message));
        }
        Histogram overall;
        try {
            byte[] bytes =
                    Base64.getDecoder().decode(meta.path("overall_micros_hdr").asText());
            overall = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException(folder.resolve(base + ".run.json") + " holds no readable 'overall_micros_hdr'", e);
        }
        return new RunData(
                meta.path("scenario").asText(),
                meta.path("policy").asText(),
                meta.path("description").asText(),
                meta.path("warmup").asInt(),
                meta.path("length").asInt(),
                meta.path("change_at").asDouble(),
                meta.path("change_length").asDouble(),
                meta.path("drop_at").isNumber() ? meta.get("drop_at").asDouble() : Double.NaN,
                meta.path("entry_app").asText("aggregator"),
                meta.path("target_ms").asDouble(),
                meta.path("bottleneck").asText("songs"),
                meta.path("base_replicas").asInt(1),
                load,
                apps,
                events,
                overall);
    }

    private static List<String> body(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return lines.isEmpty() ? lines : lines.subList(1, lines.size());
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%.2f", value);
    }
}
