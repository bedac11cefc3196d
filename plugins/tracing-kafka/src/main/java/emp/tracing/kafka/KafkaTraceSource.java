package emp.tracing.kafka;

import static java.util.Objects.requireNonNull;

import emp.plugins.zipkin.LogThrottle;
import emp.plugins.zipkin.SenderCheck;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import emp.spi.tracing.TraceSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Zipkin spans from a Kafka topic in a consumer group of EMP's own, so a Zipkin server reading the same topic in
 * its group sees every span too. One thread polls; the messages of each poll are decoded (span lists in JSON, proto3
 * or Thrift) on as many threads as cores, each handing its share's spans to the sink as one batch, and the next poll
 * waits until all are delivered (so the offsets committed at it are of spans delivered). A message that is not spans is skipped and counted. The
 * thread never dies of an error: a broker that goes away is reconnected to by kafka-clients, and any exception is
 * logged (at most every 10 s), waited out and retried with a new consumer.
 *
 * <p>Spans are authenticated, as over HTTP: each message must carry its sending app's span credential (the
 * {@code EMP_SPAN_TOKEN} its replicas are given) in the record header {@value #TOKEN_HEADER}, and hold only that app's
 * spans. Anyone who can write to the topic could otherwise steer any app's figures and scaling with forged spans. A
 * message without the header or with a credential the platform did not issue is dropped and counted as
 * unauthenticated; one with a span of another app is dropped whole and counted as forged. Both counts show in
 * {@link #check()} and are logged at most every 10 s, never once per message.
 *
 * <p>Thread-safe: {@link #check()} and the counters may be read from any thread.
 */
public final class KafkaTraceSource implements TraceSource {
    private static final Logger log = LoggerFactory.getLogger(KafkaTraceSource.class);

    /**
     * The record header that carries the sending app's span credential ({@code EMP_SPAN_TOKEN}), as UTF-8 bytes, on
     * every message of span lists. A message without it is dropped: any Kafka client sends it by adding this header to
     * each record it writes to the topic.
     */
    public static final String TOKEN_HEADER = "emp-span-token";

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Duration BACKOFF_INITIAL = Duration.ofMillis(500);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** A poll with fewer messages is decoded on the polling thread alone: splitting it would cost more. */
    private static final int SPLIT_FROM = 64;

    private final KafkaTraceConfig config;
    private final Clock clock;
    private final Duration probeInterval;
    private final Duration probeTimeout;
    private final LogThrottle skippedLog;
    private final LogThrottle errorLog;
    private final LogThrottle unreachableLog;
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final LongAdder unauthenticated = new LongAdder();
    private final LongAdder forged = new LongAdder();
    private final LogThrottle unauthenticatedLog;
    private final LogThrottle forgedLog;

    /** Guards starting and closing; the poll loop waits on it between retries, so a close cuts the wait short. */
    private final Object lock = new Object();

    private Thread thread;
    /** Decodes the shares of a poll beyond the polling thread's own; null before start. */
    private ExecutorService decoders;

    private final int decodeThreads = Runtime.getRuntime().availableProcessors();
    private volatile boolean started;
    private volatile KafkaConsumer<byte[], ByteBuffer> consumer;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile long startedMillis;
    /** When the brokers last answered (a poll with records, or a probe); 0 before the first time. */
    private volatile long lastContactMillis;
    /** The last error of the poll loop, cleared by the next contact with the brokers. */
    private volatile String lastError;

    /**
     * Makes the source; does no I/O (the consumer is made on the source's own thread by {@link #start(SpanSink)}).
     */
    public KafkaTraceSource(KafkaTraceConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        // Probed a few times per unhealthy-after, so a broker that is back is seen well within it.
        this.probeInterval = clamp(config.unhealthyAfter().dividedBy(3), Duration.ofMillis(200), Duration.ofSeconds(5));
        this.probeTimeout = clamp(config.unhealthyAfter().dividedBy(2), Duration.ofMillis(200), Duration.ofSeconds(5));
        this.skippedLog = new LogThrottle(clock, LOG_INTERVAL);
        this.errorLog = new LogThrottle(clock, LOG_INTERVAL);
        this.unreachableLog = new LogThrottle(clock, LOG_INTERVAL);
        this.unauthenticatedLog = new LogThrottle(clock, LOG_INTERVAL);
        this.forgedLog = new LogThrottle(clock, LOG_INTERVAL);
    }

    /**
     * Starts the consumer thread, which delivers the spans of each poll to {@code sink} as one batch.
     *
     * @throws IllegalStateException when started already or closed
     */
    @Override
    public void start(SpanSink sink) {
        requireNonNull(sink, "sink is null");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the Kafka trace source is closed; create a new one");
            }
            if (thread != null) {
                throw new IllegalStateException("the Kafka trace source is started already");
            }
            running = true;
            started = true;
            startedMillis = clock.millis();
            AtomicInteger number = new AtomicInteger();
            decoders = Executors.newFixedThreadPool(Math.max(1, decodeThreads - 1), runnable -> {
                Thread decoder = new Thread(runnable, "emp-tracing-kafka-decode-" + number.incrementAndGet());
                decoder.setDaemon(true);
                return decoder;
            });
            thread = new Thread(() -> run(sink), "emp-tracing-kafka");
            // kafka-clients loads classes named in its configuration through the context class loader: it must be
            // the plugin's, whose copy of kafka-clients this is, never the host's.
            thread.setContextClassLoader(KafkaTraceSource.class.getClassLoader());
            thread.setDaemon(true);
            thread.start();
        }
        log.info(
                "reading spans from Kafka {} topic '{}' in group '{}'",
                config.bootstrapServers(),
                config.topic(),
                config.group());
    }

    /**
     * {@code KAFKA_ADDRESS} and {@code KAFKAADDRESS} (the original platform's name): the bootstrap servers. The
     * credential a replica puts in header {@value #TOKEN_HEADER} is the host's to give ({@code EMP_SPAN_TOKEN}).
     */
    @Override
    public Map<String, String> replicaEnvironment(AppRef app, String credential) {
        return Map.of("KAFKA_ADDRESS", config.bootstrapServers(), "KAFKAADDRESS", config.bootstrapServers());
    }

    /**
     * Healthy while the brokers answered within {@code unhealthy-after}; unhealthy before the first answer, while
     * they are unreachable, and while the poll loop is recovering from an error. Never blocks.
     */
    @Override
    public Health check() {
        String where =
                "Kafka " + config.bootstrapServers() + " topic '" + config.topic() + "' group '" + config.group() + "'";
        if (closed) {
            return Health.unhealthy(where + ": closed");
        }
        if (!started) {
            return Health.unhealthy(where + ": not started");
        }
        long now = clock.millis();
        long contact = lastContactMillis;
        String error = lastError;
        if (error != null) {
            return Health.unhealthy(where + ": " + error);
        }
        if (contact == 0) {
            return Health.unhealthy(
                    where + ": connecting for " + seconds(now - startedMillis) + "; check that the brokers run");
        }
        if (now - contact > config.unhealthyAfter().toMillis()) {
            return Health.unhealthy(where + ": brokers unreachable for " + seconds(now - contact)
                    + "; spans wait in Kafka and are read once they are back");
        }
        return Health.healthy(where + ": " + spans.get() + " spans from " + messages.get() + " messages, "
                + skipped.get() + " messages skipped (not spans), " + unauthenticated.sum()
                + " dropped without a good credential (header '" + TOKEN_HEADER + "'), " + forged.sum()
                + " dropped with another app's spans");
    }

    /** Spans delivered to the sink so far. */
    public long receivedSpans() {
        return spans.get();
    }

    /** Messages read so far, spans or not. */
    public long receivedMessages() {
        return messages.get();
    }

    /** Messages skipped because they were not span lists. */
    public long skippedMessages() {
        return skipped.get();
    }

    /** Messages dropped because header {@value #TOKEN_HEADER} was missing or held no credential the sink knows. */
    public long unauthenticatedMessages() {
        return unauthenticated.sum();
    }

    /** Messages dropped because a span in them was another app's than their credential's. */
    public long forgedMessages() {
        return forged.sum();
    }

    /** Stops the consumer thread, committing what it has read; idempotent. */
    @Override
    public void close() {
        Thread poller;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            poller = thread;
            lock.notifyAll();
        }
        KafkaConsumer<byte[], ByteBuffer> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (poller == null) {
            return;
        }
        try {
            // Not interrupted at first: an interrupted consumer closes without committing what it has read.
            poller.join(CLOSE_TIMEOUT.toMillis() * 2);
            if (poller.isAlive()) {
                log.warn(
                        "the Kafka trace source's thread did not stop within {} s; interrupting it",
                        CLOSE_TIMEOUT.toSeconds() * 2);
                poller.interrupt();
                poller.join(CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ExecutorService pool;
            synchronized (lock) {
                pool = decoders;
            }
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private void run(SpanSink sink) {
        SenderCache senders = new SenderCache(sink);
        Duration backoff = BACKOFF_INITIAL;
        long lastProbe = 0;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = newConsumer();
                    consumer.subscribe(List.of(config.topic()));
                }
                ConsumerRecords<byte[], ByteBuffer> records = consumer.poll(POLL_TIMEOUT);
                long now = clock.millis();
                if (!records.isEmpty()) {
                    contact(now);
                    deliver(records, sink, senders);
                } else if (now - lastContactMillis >= probeInterval.toMillis()
                        && now - lastProbe >= probeInterval.toMillis()) {
                    lastProbe = now;
                    probe(now);
                }
                backoff = BACKOFF_INITIAL;
            } catch (WakeupException | InterruptException e) {
                if (running) {
                    // Not a close: a stray interrupt; carry on.
                    Thread.interrupted();
                }
            } catch (RuntimeException | LinkageError e) {
                lastError = "reading failed (" + e + "); retrying in " + backoff.toMillis() + " ms";
                if (errorLog.allow()) {
                    log.warn(
                            "reading spans from Kafka {} topic '{}' failed; retrying with a new consumer in {} ms",
                            config.bootstrapServers(),
                            config.topic(),
                            backoff.toMillis(),
                            e);
                }
                closeConsumer();
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff.multipliedBy(2);
            }
        }
        closeConsumer();
    }

    private KafkaConsumer<byte[], ByteBuffer> newConsumer() {
        // Deserializers as instances, not class names, so none is looked up through a class loader. Values as the
        // buffers kafka-clients read them into, not copied again into arrays.
        return new KafkaConsumer<>(
                ConsumerSettings.of(config), new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    /** Decodes and delivers a poll's messages, split over the decoding threads; returns once all are delivered. */
    private void deliver(ConsumerRecords<byte[], ByteBuffer> records, SpanSink sink, SenderCache senders) {
        List<ConsumerRecord<byte[], ByteBuffer>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        SharedWork.run(all, decodeThreads, SPLIT_FROM, decoders, share -> deliver(share, sink, senders));
    }

    private void deliver(List<ConsumerRecord<byte[], ByteBuffer>> records, SpanSink sink, SenderCache senders) {
        List<Span> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], ByteBuffer> record : records) {
            messages.incrementAndGet();
            // The credential first: a message from no one is not worth decoding.
            Header header = record.headers().lastHeader(TOKEN_HEADER);
            String token = header == null || header.value() == null
                    ? null
                    : new String(header.value(), StandardCharsets.UTF_8);
            Optional<AppRef> sender = senders.sender(token);
            if (sender.isEmpty()) {
                unauthenticated.increment();
                if (unauthenticatedLog.allow()) {
                    log.warn(
                            "dropped message {}-{}@{} of Kafka {}: {}; each message needs its app's EMP_SPAN_TOKEN in"
                                    + " header '{}'; {} dropped so far (logged at most every {} s)",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            config.bootstrapServers(),
                            token == null
                                    ? "no header '" + TOKEN_HEADER + "'"
                                    : "header '" + TOKEN_HEADER + "' holds no credential this platform issued",
                            TOKEN_HEADER,
                            unauthenticated.sum(),
                            LOG_INTERVAL.toSeconds());
                }
                continue;
            }
            ByteBuffer value = record.value();
            List<Span> decoded;
            try {
                decoded = SpanMessageDecoder.decode(value == null ? ByteBuffer.allocate(0) : value);
            } catch (IllegalArgumentException e) {
                long count = skipped.incrementAndGet();
                if (skippedLog.allow()) {
                    log.warn(
                            "skipped message {}-{}@{} of Kafka {}: {}; {} skipped so far (logged at most every {} s)",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            config.bootstrapServers(),
                            e.getMessage(),
                            count,
                            LOG_INTERVAL.toSeconds());
                }
                continue;
            }
            try {
                batch.addAll(SenderCheck.own(decoded, sender.get(), forged));
            } catch (PlatformException e) {
                if (forgedLog.allow()) {
                    log.warn(
                            "dropped message {}-{}@{} of Kafka {}: {}; {} dropped so far (logged at most every {} s)",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            config.bootstrapServers(),
                            e.getMessage(),
                            forged.sum(),
                            LOG_INTERVAL.toSeconds());
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            sink.accept(List.copyOf(batch));
            spans.addAndGet(batch.size());
        } catch (RuntimeException e) {
            // The host's fault, not Kafka's: reading goes on, and a new consumer would not help.
            if (errorLog.allow()) {
                log.error("the span sink failed on {} spans from Kafka; they are lost", batch.size(), e);
            }
        }
    }

    /**
     * Asks the brokers for the topic's end offsets, which only they can answer: a poll that returns nothing says
     * nothing about whether they are there.
     */
    private void probe(long now) {
        try {
            Set<TopicPartition> partitions = new HashSet<>(consumer.assignment());
            if (partitions.isEmpty()) {
                for (PartitionInfo info : consumer.partitionsFor(config.topic(), probeTimeout)) {
                    partitions.add(new TopicPartition(info.topic(), info.partition()));
                }
            }
            if (partitions.isEmpty()) {
                consumer.listTopics(probeTimeout);
            } else {
                consumer.endOffsets(partitions, probeTimeout);
            }
            contact(clock.millis());
        } catch (RetriableException e) {
            long since = lastContactMillis == 0 ? startedMillis : lastContactMillis;
            if (now - since > config.unhealthyAfter().toMillis() && unreachableLog.allow()) {
                log.warn(
                        "Kafka {} has not answered for {}; spans wait there until it is back (logged at most every"
                                + " {} s)",
                        config.bootstrapServers(),
                        seconds(now - since),
                        LOG_INTERVAL.toSeconds());
            }
        }
    }

    private void contact(long now) {
        if (lastContactMillis != 0
                && now - lastContactMillis > config.unhealthyAfter().toMillis()) {
            log.info("Kafka {} answers again after {}", config.bootstrapServers(), seconds(now - lastContactMillis));
        }
        lastContactMillis = now;
        lastError = null;
    }

    private void closeConsumer() {
        KafkaConsumer<byte[], ByteBuffer> current = consumer;
        consumer = null;
        if (current == null) {
            return;
        }
        try {
            current.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("closing the Kafka consumer failed", e);
        }
    }

    private void sleep(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        synchronized (lock) {
            try {
                for (long left = duration.toMillis(); running && left > 0; ) {
                    lock.wait(left);
                    left = (until - System.nanoTime()) / 1_000_000;
                }
            } catch (InterruptedException e) {
                // Only close interrupts, and it has cleared running already.
            }
        }
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
