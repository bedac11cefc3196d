package emp.host.dashboard;

import emp.host.JsonCodec;
import emp.host.auth.AccountService;
import emp.host.auth.Throttled;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's live updates: each open stream ({@code GET /v1/stream}) is looked at every {@link #PERIOD}, and each
 * of its parts (the app list, the service graph; an app's view, history and events when it follows one) is sent as a
 * named Server-Sent Event when it differs from what that stream was last sent, so a change reaches the page within
 * two periods. The session is checked at each look: a logout or an expiry ends the stream.
 *
 * <p>Streams are bounded ({@link #PER_USER} a user, {@link #MAX} in all), are refreshed on a small pool so one slow
 * reader delays only itself (a stream still writing is skipped), and carry a comment (two bytes) at each look that
 * sends nothing else: the server's idle timeout never closes them, and a page gone is noticed at the next look (a
 * stream is written to, not read from, so only a write finds its reader gone).
 */
public final class LiveStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStreams.class);
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** The graph costs a read of each app's recent events: looked at every this many periods. */
    static final int GRAPH_EVERY = 3;

    public static final int PER_USER = 8;
    public static final int MAX = 256;

    private final DashboardViews views;
    private final AccountService accounts;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-live-streams");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService writers = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "emp-live-stream-writer");
        thread.setDaemon(true);
        return thread;
    });

    public LiveStreams(DashboardViews views, AccountService accounts) {
        this.views = views;
        this.accounts = accounts;
    }

    public void start() {
        ticker.scheduleWithFixedDelay(this::tick, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many streams are open, for {@code /metrics}. */
    public int open() {
        return streams.size();
    }

    /**
     * Opens a stream for {@code owner}; its first events go out at once.
     *
     * @param token the session the stream lives on
     * @param appId the app to follow, already known to be the owner's; null for the list and the graph only
     * @throws Throttled when the user has {@link #PER_USER} streams open
     * @throws PlatformException of category UNAVAILABLE when the server has {@link #MAX}
     */
    public void open(String owner, String token, String appId, SseEventSink sink, Sse sse) {
        long mine =
                streams.stream().filter(stream -> stream.owner.equals(owner)).count();
        if (mine >= PER_USER) {
            throw new Throttled(
                    "you have " + mine + " live streams open already (at most " + PER_USER
                            + "); close a dashboard tab and try again",
                    5);
        }
        if (streams.size() >= MAX) {
            throw PlatformException.unavailable(
                    "the server has " + MAX + " live streams open, its most; try again in a minute", null);
        }
        Stream stream = new Stream(owner, token, appId, sink, sse);
        streams.add(stream);
        schedule(stream);
    }

    private void tick() {
        for (Stream stream : streams) {
            schedule(stream);
        }
    }

    private void schedule(Stream stream) {
        if (stream.busy.compareAndSet(false, true)) {
            try {
                writers.execute(() -> {
                    try {
                        stream.refresh();
                    } finally {
                        stream.busy.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                stream.busy.set(false);
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        writers.shutdownNow();
        streams.forEach(Stream::close);
        streams.clear();
    }

    /** The page went away between two looks: its stream is closed without a word. */
    private static final class ReaderGone extends RuntimeException {
        ReaderGone() {
            super("the reader of a live stream is gone", null, false, false);
        }
    }

    private final class Stream {
        final String owner;
        final String token;
        final String appId;
        final SseEventSink sink;
        final Sse sse;
        final AtomicBoolean busy = new AtomicBoolean();
        /** What was sent last of each part, as JSON. */
        final Map<String, String> sent = new HashMap<>();

        long looks;
        /** Whether this look sent anything. */
        boolean wrote;

        Stream(String owner, String token, String appId, SseEventSink sink, Sse sse) {
            this.owner = owner;
            this.token = token;
            this.appId = appId;
            this.sink = sink;
            this.sse = sse;
        }

        void refresh() {
            if (sink.isClosed()) {
                close();
                return;
            }
            wrote = false;
            try {
                accounts.authenticate(token);
                Map<String, Supplier<Object>> parts = new LinkedHashMap<>();
                parts.put("apps", () -> views.apps(owner));
                if (looks % GRAPH_EVERY == 0) {
                    parts.put("graph", () -> views.graph(owner));
                }
                if (appId != null) {
                    parts.put("app", () -> views.app(owner, appId));
                    parts.put("history", () -> views.history(owner, appId));
                    parts.put("events", () -> views.events(owner, appId));
                }
                looks++;
                for (Map.Entry<String, Supplier<Object>> part : parts.entrySet()) {
                    String json = JsonCodec.write(part.getValue().get());
                    if (!json.equals(sent.get(part.getKey()))) {
                        send(sse.newEventBuilder()
                                .name(part.getKey())
                                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(String.class, json)
                                .build());
                        sent.put(part.getKey(), json);
                    }
                }
                if (!wrote) {
                    send(sse.newEventBuilder().comment("").build());
                }
            } catch (PlatformException e) {
                if (e.category() == ErrorCategory.UNAVAILABLE) {
                    // The store or the cluster is away for a moment: the page keeps what it has; the next look retries.
                    log.debug("live stream of '{}': {}", owner, e.getMessage());
                    return;
                }
                // Logged out, expired, or the app is gone: the page is told why, and the stream ends.
                try {
                    send(sse.newEventBuilder()
                            .name("problem")
                            .mediaType(MediaType.APPLICATION_JSON_TYPE)
                            .data(
                                    String.class,
                                    JsonCodec.write(Map.of(
                                            "title", e.category().name().toLowerCase(Locale.ROOT),
                                            "detail", e.getMessage())))
                            .build());
                } catch (ReaderGone gone) {
                    // nobody to tell
                }
                close();
            } catch (ReaderGone e) {
                close();
            } catch (RuntimeException e) {
                log.warn("live stream of '{}' failed and is closed", owner, e);
                close();
            }
        }

        /** Sends one event; a reader gone (the page closed) ends the stream. */
        private void send(OutboundSseEvent event) {
            if (sink.isClosed()) {
                throw new ReaderGone();
            }
            try {
                sink.send(event).whenComplete((done, failure) -> {
                    if (failure != null) {
                        close();
                    }
                });
            } catch (IllegalStateException e) {
                throw new ReaderGone();
            }
            wrote = true;
        }

        void close() {
            streams.remove(this);
            try {
                sink.close();
            } catch (IOException | RuntimeException e) {
                log.debug("live stream of '{}' did not close cleanly: {}", owner, e.getMessage());
            }
        }
    }
}
