package emp.tck.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.tracing.Span;
import emp.spi.tracing.TraceSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TraceSource} must show, whatever carries the spans. A source's test is a subclass that
 * says how to make a source ({@link #newSource()}) and how to send it spans the way its transport does, as the apps
 * send them: a batch of spans as one app ({@link #deliver}), and raw bytes where spans belong ({@link #deliverRaw}),
 * for input that is not spans.
 *
 * <p>The kit starts sources with a sink of its own, standing in for the host's: it knows the span credentials the
 * kit issues ({@link #credential}), as {@link emp.spi.tracing.SpanSink#sender} does the host's. Besides what
 * {@link TraceSource} says, it fixes these points of the contract:
 * <ul>
 *   <li>Spans reach the sink as they were sent: every field of {@link Span}, the app they belong to included. The
 *       kit's spans are in Zipkin's normal form (lower-case hex ids, lower-case names), which any Zipkin encoding
 *       keeps.</li>
 *   <li>What is not spans (bytes in no span format, spans without ids), and spans of another app than the one that
 *       sends them, never reach the sink, and the source goes on with the next good batch. A span with no local
 *       service is the sender's.</li>
 *   <li>A sink that fails a batch does not stop the source.</li>
 *   <li>{@link TraceSource#check()} never throws: healthy once started (within {@link #timeout()}), not healthy once
 *       closed. {@link TraceSource#close()} stops delivery and may be called again, and before a start.</li>
 *   <li>{@link TraceSource#replicaEnvironment} gives at least one variable, named as an environment variable may be,
 *       with no null value.</li>
 * </ul>
 * The kit assumes the transport keeps the order of one app's batches (one HTTP request after the other, one Kafka
 * partition): once a good batch sent after bad input has arrived, the bad input has been dealt with.
 *
 * <p>Each test gets a source of its own, made by {@link #newSource()} on first use and closed after the test.
 */
public abstract class AbstractTraceSourceTck {
    /** An app that calls {@link #BACK}; the kit's spans are these two apps'. */
    protected static final AppRef FRONT = new AppRef("tck", "front");

    /** The app {@link #FRONT} calls. */
    protected static final AppRef BACK = new AppRef("tck", "back");

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final long START_MICROS = 1_700_000_000_000_000L;
    private static final AtomicInteger TRACES = new AtomicInteger();

    private final RecordingSink sink = new RecordingSink();
    private TraceSource source;

    /**
     * A source configured for this test (a topic of its own, say), not started; the kit starts and closes it. Called
     * at most once per test.
     */
    protected abstract TraceSource newSource();

    /**
     * Sends {@code spans} to the source as {@code sender}'s replicas would, through the source's transport (an HTTP
     * post to its receiver, a message on its topic), in one batch, with {@code sender}'s {@link #credential} wherever
     * the transport carries one. Returns once the transport has taken the batch or refused it (an HTTP answer of 4xx or
     * 5xx is the source's to give, not a failure of the delivery); throws only when it could not send at all.
     *
     * @param spans encoded as the apps encode them (Zipkin's JSON v2 or proto3, for a Zipkin transport); may be empty
     */
    protected abstract void deliver(AppRef sender, List<Span> spans) throws Exception;

    /**
     * Sends {@code payload} as it is where the transport carries a batch of spans (an HTTP body sent as
     * {@code application/json}, a message on the topic), as {@code sender}, with its {@link #credential}. Returns as
     * {@link #deliver} does.
     */
    protected abstract void deliverRaw(AppRef sender, byte[] payload) throws Exception;

    /** The longest the kit waits for spans to arrive, or for the source to report healthy. */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** How long the kit watches for spans that must not arrive, once the source is closed. */
    protected Duration quietPeriod() {
        return Duration.ofSeconds(1);
    }

    /** The span credential the kit issued to {@code app}, which the kit's sink knows as {@code app}'s. */
    protected final String credential(AppRef app) {
        return sink.issue(app);
    }

    /** The source under test, made on first use; started only by the tests that start it. */
    protected final TraceSource source() {
        if (source == null) {
            source = newSource();
            assertThat(source).as("the source newSource() made").isNotNull();
        }
        return source;
    }

    /** The spans the kit's sink has taken so far, in the order they came. */
    protected final List<Span> received() {
        return sink.spans();
    }

    @AfterEach
    final void closeSource() {
        if (source != null) {
            source.close();
        }
    }

    // ---- delivery

    @Test
    void deliveredSpansReachTheSinkAsTheyWereSent() throws Exception {
        String trace = newTraceId();
        List<Span> front = frontSpans(trace);
        List<Span> back = backSpans(trace);
        started();

        deliver(FRONT, front);
        deliver(BACK, back);

        List<Span> sent = new ArrayList<>(front);
        sent.addAll(back);
        eventually().untilAsserted(() -> assertThat(received()).hasSameSizeAs(sent));
        assertThat(received()).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void anEmptyBatchIsFine() throws Exception {
        List<Span> front = frontSpans(newTraceId());
        started();

        deliver(FRONT, List.of());
        deliver(FRONT, front);

        awaitExactly(front);
        assertThat(source().check().healthy()).as(source().check().detail()).isTrue();
    }

    @Test
    void aSpanWithoutALocalServiceIsTheSenders() throws Exception {
        Span anonymous = span(newTraceId(), "b000000000000001", null, "get /", Span.Kind.SERVER, null, null, Map.of());
        started();

        deliver(BACK, List.of(anonymous));

        awaitExactly(List.of(withLocalService(anonymous, BACK.toString())));
    }

    // ---- what must not arrive

    @Test
    void whatIsNotSpansNeverReachesTheSinkAndTheNextBatchDoes() throws Exception {
        List<Span> front = frontSpans(newTraceId());
        started();

        for (byte[] payload : notSpans()) {
            deliverRaw(FRONT, payload);
        }
        deliver(FRONT, front);

        awaitExactly(front);
        assertThat(source().check().healthy()).as(source().check().detail()).isTrue();
    }

    @Test
    void anotherAppsSpansNeverReachTheSinkAndTheNextBatchDoes() throws Exception {
        String trace = newTraceId();
        List<Span> front = frontSpans(trace);
        List<Span> mixed = new ArrayList<>(front);
        mixed.addAll(backSpans(trace));
        started();

        deliver(FRONT, backSpans(trace));
        deliver(FRONT, mixed);
        deliver(FRONT, front);

        awaitExactly(front);
    }

    @Test
    void aSinkThatFailsABatchDoesNotStopTheSource() throws Exception {
        List<Span> lost = frontSpans(newTraceId());
        List<Span> next = frontSpans(newTraceId());
        sink.failNext(1);
        started();

        deliver(FRONT, lost);
        eventually().until(() -> sink.failures() == 1);
        deliver(FRONT, next);

        // A source may retry the failed batch; the next one must come either way.
        eventually().untilAsserted(() -> assertThat(received()).containsAll(next));
    }

    // ---- life cycle

    @Test
    void isHealthyOnceStarted() {
        Health before = source().check();
        assertThat(before).as("check() before the start").isNotNull();
        assertThat(before.detail()).isNotBlank();

        started();

        Health health = eventually().until(source()::check, Health::healthy);
        assertThat(health.detail()).isNotBlank();
    }

    @Test
    void closingStopsDeliveryAndCanBeRepeated() throws Exception {
        List<Span> first = frontSpans(newTraceId());
        started();
        deliver(FRONT, first);
        awaitExactly(first);

        source().close();
        source().close();

        Health closed = source().check();
        assertThat(closed.healthy())
                .as("healthy once closed: %s", closed.detail())
                .isFalse();
        deliver(FRONT, frontSpans(newTraceId()));
        Thread.sleep(quietPeriod().toMillis());
        assertThat(received()).as("spans delivered after the close").containsExactlyInAnyOrderElementsOf(first);
    }

    @Test
    void aSourceNeverStartedClosesQuietly() {
        TraceSource unstarted = source();

        unstarted.close();
        unstarted.close();

        assertThat(unstarted.check()).isNotNull();
    }

    @Test
    void replicasAreGivenVariablesToSendTheirSpansWith() {
        started();

        for (AppRef app : List.of(FRONT, BACK)) {
            Map<String, String> environment = source().replicaEnvironment(app, credential(app));

            assertThat(environment).as("the environment of %s's replicas", app).isNotEmpty();
            environment.forEach((name, value) -> {
                assertThat(name).as("a variable's name").matches(VARIABLE_NAME);
                assertThat(value).as("variable %s", name).isNotNull();
            });
        }
    }

    // ---- helpers

    private void started() {
        source().start(sink);
    }

    private ConditionFactory eventually() {
        return await().atMost(timeout()).pollInterval(Duration.ofMillis(50));
    }

    /** Waits for {@code expected} to arrive, and checks that nothing else did. */
    private void awaitExactly(List<Span> expected) {
        eventually().untilAsserted(() -> assertThat(received()).containsAll(expected));
        assertThat(received()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static String newTraceId() {
        return String.format("463ac35c9f6413ad%016x", TRACES.incrementAndGet());
    }

    /** What {@link #FRONT} records of a request of trace {@code traceId}: its server span and its call to the back. */
    private static List<Span> frontSpans(String traceId) {
        return List.of(
                span(
                        traceId,
                        "a000000000000001",
                        null,
                        "get /songs",
                        Span.Kind.SERVER,
                        FRONT,
                        null,
                        Map.of("http.method", "GET", "http.path", "/songs")),
                new Span(
                        traceId,
                        "a000000000000002",
                        "a000000000000001",
                        "get /users",
                        Span.Kind.CLIENT,
                        FRONT.toString(),
                        BACK.toString(),
                        START_MICROS + 1_000,
                        6_000,
                        Map.of("error", "503"),
                        false));
    }

    /**
     * What {@link #BACK} records of the same request: its server span, which shares its caller's span id (B3 "join"),
     * and a local span without a kind.
     */
    private static List<Span> backSpans(String traceId) {
        return List.of(
                new Span(
                        traceId,
                        "a000000000000002",
                        "a000000000000001",
                        "get /users",
                        Span.Kind.SERVER,
                        BACK.toString(),
                        FRONT.toString(),
                        START_MICROS + 1_500,
                        5_000,
                        Map.of("http.status_code", "503"),
                        true),
                span(
                        traceId,
                        "a000000000000003",
                        "a000000000000002",
                        "select users",
                        null,
                        BACK,
                        null,
                        Map.of("db.system", "sqlite")));
    }

    private static Span span(
            String traceId,
            String id,
            String parentId,
            String name,
            Span.Kind kind,
            AppRef local,
            AppRef remote,
            Map<String, String> tags) {
        return new Span(
                traceId,
                id,
                parentId,
                name,
                kind,
                local == null ? null : local.toString(),
                remote == null ? null : remote.toString(),
                START_MICROS,
                9_000,
                tags,
                false);
    }

    private static Span withLocalService(Span span, String localService) {
        return new Span(
                span.traceId(),
                span.id(),
                span.parentId(),
                span.name(),
                span.kind(),
                localService,
                span.remoteService(),
                span.timestampMicros(),
                span.durationMicros(),
                span.tags(),
                span.shared());
    }

    /** Bytes where spans belong that are no spans: text, cut JSON, spans without ids, deep nesting, lying lengths. */
    private static List<byte[]> notSpans() {
        return List.of(
                ascii("this is not a span list"),
                ascii("[{\"traceId\":\"463ac35c9f6413ad"),
                ascii("[{\"traceId\":\"not hex\",\"id\":\"nor this\",\"name\":\"get /\"}]"),
                ascii("{\"name\":\"a span without ids\"}"),
                ascii("[".repeat(100_000)),
                // A proto3 list whose first span claims 4 GiB; a Thrift list that claims 2^31 - 1 spans.
                new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0x01},
                new byte[] {0x0C, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0B},
                new byte[0]);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
