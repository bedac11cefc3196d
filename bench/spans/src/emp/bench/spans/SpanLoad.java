package emp.bench.spans;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import zipkin2.codec.SpanBytesEncoder;

/**
 * The span load of bench/span-ingest.sh: fresh traces ({@link TraceFactory}) encoded with zipkin2's
 * {@link SpanBytesEncoder} (JSON v2 or proto3) and sent for a while, printing every second and at the end how many spans
 * each target accepted.
 *
 * <pre>
 * SpanLoad http  USER SECONDS RATE ENCODING TRACES_PER_BATCH CONNECTIONS NAME=URL [NAME=URL...]
 * SpanLoad kafka USER SECONDS RATE ENCODING TRACES_PER_BATCH THREADS BOOTSTRAP TOPIC COMPRESSION
 * </pre>
 *
 * HTTP: each target gets its own CONNECTIONS threads posting to {@code URL} (one keep-alive connection each), so a
 * slow target does not hold back a fast one; a span counts as accepted when its POST answered 2xx. Kafka: THREADS
 * threads share one producer; a span counts once the broker acknowledged its message. RATE is spans/s per target
 * (0: as fast as they are taken). Output lines: {@code load t=SECONDS NAME=SPANS ...} (cumulative) and
 * {@code load-total NAME spans=N errors=N seconds=S}.
 *
 * <p>Each batch of traces is sent as one body or message per service, holding that service's spans only, as each app
 * reports its own; EMP takes them only with the app's span credential ({@link SpanCredentials}, from the file
 * {@code SPAN_CREDENTIALS} names). Over HTTP a URL with {@value #TOKEN_PLACEHOLDER} in it gets the service's credential
 * there (EMP's: {@code ...?emp_token={token}}); a URL without it (Zipkin's) gets the same bodies without. Over Kafka
 * each message carries the credential in header {@value #TOKEN_HEADER}, which Zipkin ignores.
 */
public final class SpanLoad {
    /** Where a URL takes the sending service's credential. */
    static final String TOKEN_PLACEHOLDER = "{token}";

    /** The record header EMP's Kafka trace source reads the credential from. */
    static final String TOKEN_HEADER = "emp-span-token";

    private SpanLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: SpanLoad http|kafka USER SECONDS RATE json|proto3 TRACES_PER_BATCH N ...");
            System.exit(2);
        }
        String mode = args[0];
        TraceFactory factory = new TraceFactory(args[1]);
        int seconds = Integer.parseInt(args[2]);
        long rate = Long.parseLong(args[3]);
        SpanBytesEncoder encoder = switch (args[4]) {
            case "json" -> SpanBytesEncoder.JSON_V2;
            case "proto3" -> SpanBytesEncoder.PROTO3;
            default -> throw new IllegalArgumentException("encoding '" + args[4] + "' is neither json nor proto3");
        };
        int tracesPerBatch = Integer.parseInt(args[5]);
        int threads = Integer.parseInt(args[6]);
        SpanCredentials credentials = SpanCredentials.fromEnvironment();
        if (!credentials.isEmpty()) {
            // Fails now, naming the service, rather than in a sending thread later.
            factory.services().forEach(credentials::of);
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        List<Thread> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        if (mode.equals("http")) {
            String contentType = encoder == SpanBytesEncoder.PROTO3 ? "application/x-protobuf" : "application/json";
            for (int i = 7; i < args.length; i++) {
                String[] nameUrl = args[i].split("=", 2);
                Target target = new Target();
                targets.put(nameUrl[0], target);
                String url = nameUrl[1];
                boolean credentialed = url.contains(TOKEN_PLACEHOLDER);
                if (credentialed && credentials.isEmpty()) {
                    throw new IllegalArgumentException("target '" + nameUrl[0] + "' wants a span credential in its URL"
                            + " but SPAN_CREDENTIALS names no file of them");
                }
                // One URI per service, made once: the loop must not build strings per body.
                Map<String, URI> uris = new ConcurrentHashMap<>();
                for (int t = 0; t < threads; t++) {
                    HttpClient client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(5))
                            .build();
                    Pacer pacer = new Pacer(rate / threads);
                    workers.add(new Thread(
                            () -> {
                                while (System.nanoTime() < deadline) {
                                    List<zipkin2.Span> batch = factory.traces(tracesPerBatch);
                                    for (Map.Entry<String, List<zipkin2.Span>> service :
                                            TraceFactory.byService(batch).entrySet()) {
                                        List<zipkin2.Span> spans = service.getValue();
                                        URI uri = uris.computeIfAbsent(service.getKey(), name -> URI.create(
                                                credentialed
                                                        ? url.replace(
                                                                TOKEN_PLACEHOLDER,
                                                                URLEncoder.encode(
                                                                        credentials.of(name), StandardCharsets.UTF_8))
                                                        : url));
                                        long sentAt = System.nanoTime();
                                        try {
                                            HttpResponse<Void> response = client.send(
                                                    HttpRequest.newBuilder(uri)
                                                            .timeout(Duration.ofSeconds(30))
                                                            .header("Content-Type", contentType)
                                                            .POST(HttpRequest.BodyPublishers.ofByteArray(
                                                                    encoder.encodeList(spans)))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.discarding());
                                            target.took(System.nanoTime() - sentAt);
                                            if (response.statusCode() / 100 == 2) {
                                                target.spans.add(spans.size());
                                            } else {
                                                target.errors.increment();
                                            }
                                        } catch (Exception e) {
                                            target.errors.increment();
                                        }
                                    }
                                    pacer.pace(batch.size());
                                }
                            },
                            "load-" + nameUrl[0] + "-" + t));
                }
            }
        } else if (mode.equals("kafka")) {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[7]);
            properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args[9]);
            properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            properties.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
            properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
            properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
            properties.put(ProducerConfig.ACKS_CONFIG, "1");
            String topic = args[8];
            KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
            Target target = new Target();
            targets.put("kafka", target);
            // The header of each service, made once.
            Map<String, Header> headers = new ConcurrentHashMap<>();
            for (int t = 0; t < threads; t++) {
                Pacer pacer = new Pacer(rate / threads);
                workers.add(new Thread(
                        () -> {
                            while (System.nanoTime() < deadline) {
                                List<zipkin2.Span> batch = factory.traces(tracesPerBatch);
                                for (Map.Entry<String, List<zipkin2.Span>> service :
                                        TraceFactory.byService(batch).entrySet()) {
                                    int count = service.getValue().size();
                                    ProducerRecord<byte[], byte[]> record =
                                            new ProducerRecord<>(topic, encoder.encodeList(service.getValue()));
                                    if (!credentials.isEmpty()) {
                                        record.headers()
                                                .add(headers.computeIfAbsent(service.getKey(), name -> new RecordHeader(
                                                        TOKEN_HEADER,
                                                        credentials.of(name).getBytes(StandardCharsets.UTF_8))));
                                    }
                                    producer.send(record, (meta, error) -> {
                                        if (error == null) {
                                            target.spans.add(count);
                                        } else {
                                            target.errors.increment();
                                        }
                                    });
                                }
                                pacer.pace(batch.size());
                            }
                        },
                        "load-kafka-" + t));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> producer.close(Duration.ofSeconds(5))));
        } else {
            throw new IllegalArgumentException("mode '" + mode + "' is neither http nor kafka");
        }
        long began = System.nanoTime();
        workers.forEach(Thread::start);
        Thread reporter = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(1_000);
                    StringBuilder line = new StringBuilder("load t=")
                            .append((System.nanoTime() - began) / 1_000_000_000L);
                    targets.forEach((name, target) ->
                            line.append(' ').append(name).append('=').append(target.spans.sum()));
                    System.out.println(line);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        reporter.setDaemon(true);
        reporter.start();
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - began) / 1e9;
        targets.forEach((name, target) -> System.out.printf(
                "load-total %s spans=%d errors=%d seconds=%.1f%s%n",
                name,
                target.spans.sum(),
                target.errors.sum(),
                elapsed,
                target.percentiles()));
        System.exit(0);
    }

    private static final class Target {
        final LongAdder spans = new LongAdder();
        final LongAdder errors = new LongAdder();
        /** How long each POST took, nanoseconds (HTTP only). */
        private final List<Long> took = new ArrayList<>();

        synchronized void took(long nanos) {
            took.add(nanos);
        }

        /** " posts=N post_p50_ms=X post_p99_ms=Y", or nothing when no POST was timed. */
        synchronized String percentiles() {
            if (took.isEmpty()) {
                return "";
            }
            List<Long> sorted = new ArrayList<>(took);
            Collections.sort(sorted);
            return String.format(
                    " posts=%d post_p50_ms=%.1f post_p99_ms=%.1f",
                    sorted.size(),
                    sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6);
        }
    }

    /** Holds one thread to {@code rate} spans/s (no limit when 0) by sleeping ahead of schedule. */
    private static final class Pacer {
        private final long rate;
        private final long began = System.nanoTime();
        private long sent;

        Pacer(long rate) {
            this.rate = rate;
        }

        void pace(int spans) {
            if (rate <= 0) {
                return;
            }
            sent += spans;
            long due = began + sent * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
