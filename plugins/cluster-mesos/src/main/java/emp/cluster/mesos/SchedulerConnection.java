package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EMP's side of the v1 scheduler HTTP API: one long-lived SUBSCRIBE stream, read on a thread of its own, and calls
 * on the callers' threads, each carrying the stream's {@code Mesos-Stream-Id}. Protobuf both ways.
 *
 * <p>While {@link #connect() connected}, the stream is kept: a master that does not lead answers 307 and EMP follows
 * it to the leader; a stream that ends, fails, or stays silent for more than {@value #MISSED_HEARTBEATS} heartbeat
 * intervals is dropped and subscribed again after a back-off (half a second, doubling to {@link #MAX_BACKOFF}). Each
 * subscription re-registers the framework with its id, so the master keeps its tasks (failover).
 *
 * <p>Thread-safe.
 */
final class SchedulerConnection implements AutoCloseable {
    /** How a connection reports what the master streams; called on the connection's thread, one event at a time. */
    interface Listener {
        /** A (re)subscription succeeded: the framework's id, as the master gave or kept it. */
        void subscribed(FrameworkID frameworkId);

        /** Any event after SUBSCRIBED, heartbeats included. */
        void event(Event event);

        /** The stream ended; {@code why} says how, for a person. */
        void disconnected(String why);
    }

    static final int MISSED_HEARTBEATS = 3;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final String PROTOBUF = "application/x-protobuf";
    private static final int MAX_REDIRECTS = 5;
    private static final Logger log = LoggerFactory.getLogger(SchedulerConnection.class);

    private final MesosClusterConfig config;
    private final Supplier<FrameworkInfo> framework;
    private final Listener listener;
    private final HttpClient http;
    private final ScheduledExecutorService watchdog;

    private final Object lock = new Object();
    private Thread reader;
    private boolean wanted;
    private ScheduledFuture<?> watching;
    /** Where the scheduler API is now: the configured master, or the leader it redirected to. */
    private volatile URI endpoint;

    private volatile String streamId;
    private volatile InputStream stream;
    private volatile long lastEventNanos;
    private volatile Duration heartbeat = Duration.ofSeconds(15);
    private volatile String problem = "not subscribed yet";

    SchedulerConnection(MesosClusterConfig config, Supplier<FrameworkInfo> framework, Listener listener) {
        this.config = requireNonNull(config, "config is null");
        this.framework = requireNonNull(framework, "framework is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.endpoint = config.schedulerEndpoint();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Threads.named("cluster-mesos-watchdog"));
    }

    /** Subscribes, and keeps subscribing until {@link #disconnect()}; returns at once. */
    void connect() {
        synchronized (lock) {
            if (wanted) {
                return;
            }
            wanted = true;
            reader = Threads.named("cluster-mesos-subscription").newThread(this::run);
            reader.start();
            if (watching == null) {
                watching = watchdog.scheduleWithFixedDelay(this::checkHeartbeats, 1, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Ends the subscription; the master keeps the framework's tasks for its failover timeout. */
    void disconnect() {
        Thread stopping;
        synchronized (lock) {
            if (!wanted) {
                return;
            }
            wanted = false;
            stopping = reader;
            reader = null;
        }
        closeStream();
        stopping.interrupt();
        try {
            stopping.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether EMP wants the subscription (whether or not the master answers). */
    boolean connecting() {
        synchronized (lock) {
            return wanted;
        }
    }

    /** Whether a subscription is open now. */
    boolean subscribed() {
        return streamId != null;
    }

    /** Why there is no subscription, for a person; meaningless while subscribed. */
    String problem() {
        return problem;
    }

    /** The master's scheduler endpoint EMP talks to now. */
    URI endpoint() {
        return endpoint;
    }

    /**
     * Sends a call on the open subscription.
     *
     * @throws PlatformException of category UNAVAILABLE when there is no subscription or the master refuses the call
     */
    void call(Call call) {
        String id = streamId;
        if (id == null) {
            throw unavailable("no subscription to the master is open (" + problem + ")");
        }
        HttpRequest request = request(endpoint, call)
                .header("Mesos-Stream-Id", id)
                .timeout(CALL_TIMEOUT)
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable("its " + call.getType() + " call failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("its " + call.getType() + " call was interrupted");
        }
        if (response.statusCode() != 202 && response.statusCode() != 200) {
            throw unavailable("the master refused a " + call.getType() + " call: " + response.statusCode() + " "
                    + response.body().strip());
        }
    }

    /** The error for a master EMP cannot use, naming the setting to check. */
    PlatformException unavailable(String what) {
        return PlatformException.unavailable(
                "the Mesos master at " + config.master() + " (" + MesosClusterConfig.SECTION + "."
                        + MesosClusterConfig.MASTER + "): " + what,
                null);
    }

    @Override
    public void close() {
        disconnect();
        watchdog.shutdownNow();
    }

    private void run() {
        Duration backoff = INITIAL_BACKOFF;
        while (stillWanted()) {
            boolean subscribedOnce = false;
            try {
                subscribedOnce = subscribeOnce();
            } catch (InterruptedException e) {
                if (!stillWanted()) {
                    break;
                }
            } catch (RuntimeException e) {
                problem = "unexpected error: " + e;
                log.error("the subscription to the Mesos master failed unexpectedly", e);
            } finally {
                boolean was = streamId != null;
                streamId = null;
                stream = null;
                if (was) {
                    listener.disconnected(problem);
                }
            }
            if (subscribedOnce) {
                backoff = INITIAL_BACKOFF;
            }
            if (!stillWanted()) {
                break;
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                // disconnect() interrupts; the loop's condition decides.
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private boolean stillWanted() {
        synchronized (lock) {
            return wanted && reader == Thread.currentThread();
        }
    }

    /**
     * One subscription, from the request to the end of its stream.
     *
     * @return whether the master accepted it
     */
    private boolean subscribeOnce() throws InterruptedException {
        FrameworkInfo info = framework.get();
        Call.Builder subscribe = Call.newBuilder()
                .setType(Call.Type.SUBSCRIBE)
                .setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(info));
        if (info.hasId()) {
            subscribe.setFrameworkId(info.getId());
        }
        Call call = subscribe.build();
        HttpResponse<InputStream> response = null;
        for (int redirects = 0; ; redirects++) {
            try {
                response = http.send(request(endpoint, call).build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                problem = "cannot subscribe: " + describe(e);
                log.debug("subscribing to {} failed: {}", endpoint, problem);
                return false;
            }
            if (response.statusCode() != 307 || redirects >= MAX_REDIRECTS) {
                break;
            }
            Optional<String> location = response.headers().firstValue("Location");
            drain(response);
            if (location.isEmpty()) {
                break;
            }
            URI leader = leaderEndpoint(endpoint, location.get());
            log.info("Mesos master {} does not lead; following it to {}", endpoint, leader);
            endpoint = leader;
        }
        if (response.statusCode() != 200) {
            problem = "SUBSCRIBE refused: " + response.statusCode() + " " + body(response);
            log.warn("the Mesos master refused EMP's subscription: {}", problem);
            return false;
        }
        Optional<String> id = response.headers().firstValue("Mesos-Stream-Id");
        if (id.isEmpty()) {
            problem = "SUBSCRIBE answered without a Mesos-Stream-Id header";
            drain(response);
            return false;
        }
        InputStream body = response.body();
        stream = body;
        lastEventNanos = System.nanoTime();
        RecordIoReader records = new RecordIoReader(body);
        try {
            byte[] first = records.next();
            Event subscribed = first == null ? null : Event.parseFrom(first);
            if (subscribed == null || subscribed.getType() != Event.Type.SUBSCRIBED) {
                problem = "the stream did not begin with SUBSCRIBED";
                return false;
            }
            if (subscribed.getSubscribed().hasHeartbeatIntervalSeconds()) {
                heartbeat = Duration.ofMillis(
                        Math.max(100, (long) (subscribed.getSubscribed().getHeartbeatIntervalSeconds() * 1000)));
            }
            streamId = id.get();
            problem = "subscribed";
            listener.subscribed(subscribed.getSubscribed().getFrameworkId());
            for (byte[] record = records.next(); record != null; record = records.next()) {
                lastEventNanos = System.nanoTime();
                Event event = Event.parseFrom(record);
                if (event.getType() == Event.Type.ERROR) {
                    problem = "the master ended the subscription: "
                            + event.getError().getMessage();
                    log.warn("Mesos master: {}", event.getError().getMessage());
                }
                listener.event(event);
            }
            if (!problem.startsWith("the master ended")) {
                problem = "the master closed the subscription";
            }
        } catch (IOException e) {
            if (stillWanted()) {
                problem = "the subscription broke: " + describe(e);
            } else {
                problem = "disconnected";
            }
        } finally {
            closeQuietly(body);
        }
        return true;
    }

    /** Drops a stream on which no event, heartbeat included, came for {@value #MISSED_HEARTBEATS} intervals. */
    private void checkHeartbeats() {
        if (streamId == null) {
            return;
        }
        long silentNanos = System.nanoTime() - lastEventNanos;
        if (silentNanos > heartbeat.toNanos() * MISSED_HEARTBEATS) {
            problem = "no heartbeat from the master for " + TimeUnit.NANOSECONDS.toSeconds(silentNanos) + "s";
            log.warn("Mesos master: {}; subscribing again", problem);
            closeStream();
        }
    }

    private void closeStream() {
        InputStream open = stream;
        if (open != null) {
            closeQuietly(open);
        }
    }

    private HttpRequest.Builder request(URI uri, Call call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .header("Content-Type", PROTOBUF)
                .header("Accept", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(call.toByteArray()));
        String authorization = config.authorization();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    /** The leader's scheduler endpoint from a 307's Location, which a master writes as {@code //host:port/path}. */
    static URI leaderEndpoint(URI current, String location) {
        URI target = URI.create(location.startsWith("//") ? current.getScheme() + ":" + location : location);
        URI resolved = current.resolve(target);
        return resolved.getPath() == null
                        || resolved.getPath().isEmpty()
                        || resolved.getPath().equals("/")
                ? resolved.resolve("/api/v1/scheduler")
                : resolved;
    }

    private static String body(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            String text = new String(in.readNBytes(2048), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no message)" : text;
        } catch (IOException e) {
            return "(no message)";
        }
    }

    private static void drain(HttpResponse<InputStream> response) {
        closeQuietly(response.body());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Closing is all that is wanted of it.
        }
    }

    /** An I/O failure in words: connection refused, timed out... */
    static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connecting timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
