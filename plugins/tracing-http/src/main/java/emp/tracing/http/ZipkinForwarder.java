package emp.tracing.http;

import static java.util.Objects.requireNonNull;

import emp.plugins.zipkin.LogThrottle;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-posts span bodies, exactly as they were received, to another Zipkin collector (typically a real Zipkin server, so
 * its UI shows the same traces). Bodies wait in a queue bounded by bytes; one that does not fit is not forwarded and
 * is counted, so a slow or absent Zipkin never blocks the apps' posts or takes memory. Posting happens on the
 * forwarder's own threads. Thread-safe.
 */
final class ZipkinForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZipkinForwarder.class);
    private static final int THREADS = 2;
    private static final int MAX_QUOTED_RESPONSE = 200;

    private final URI url;
    private final long maxQueuedBytes;
    private final Duration timeout;
    private final HttpClient client;
    private final LinkedBlockingQueue<Body> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private final LogThrottle dropWarnings;
    private final LogThrottle failureWarnings;
    private final List<Thread> threads = new ArrayList<>();

    private record Body(byte[] bytes, String contentType, String contentEncoding) {}

    ZipkinForwarder(URI url, long maxQueuedBytes, Duration timeout, Clock clock) {
        this.url = requireNonNull(url, "url is null");
        this.maxQueuedBytes = maxQueuedBytes;
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
        this.dropWarnings = new LogThrottle(clock, HttpTraceSource.WARNING_INTERVAL);
        this.failureWarnings = new LogThrottle(clock, HttpTraceSource.WARNING_INTERVAL);
    }

    URI url() {
        return url;
    }

    /** Starts the posting threads; bodies offered before wait for them. */
    synchronized void start() {
        for (int i = 1; i <= THREADS; i++) {
            Thread thread = new Thread(this::run, "tracing-http-forward-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /**
     * Queues a copy of the body for posting, without blocking.
     *
     * @return false when the queue had no room and the body was dropped (and counted)
     */
    boolean offer(byte[] body, String contentType, String contentEncoding) {
        long size = body.length;
        while (true) {
            long current = queuedBytes.get();
            if (current + size > maxQueuedBytes) {
                dropped.increment();
                if (dropWarnings.allow()) {
                    LOG.warn(
                            "Not forwarding spans to '{}': {} bytes of bodies are already waiting (the bound of"
                                    + " tracing.http.forward-queue-bytes); {} bodies not forwarded so far. Zipkin"
                                    + " there is slower than the apps; raise the bound or check that Zipkin keeps"
                                    + " up.",
                            url,
                            current,
                            dropped.sum());
                }
                return false;
            }
            if (queuedBytes.compareAndSet(current, current + size)) {
                break;
            }
        }
        // A copy: the caller owns its array and may reuse it once receive() returns.
        queue.add(new Body(body.clone(), contentType, contentEncoding));
        return true;
    }

    /** One line for the source's health: where to, and what happened so far. */
    String describe() {
        String line = "forwarding to '" + url + "': " + sent.sum() + " bodies sent, " + dropped.sum()
                + " not forwarded (queue full), " + failed.sum() + " failed";
        String failure = lastFailure.get();
        return failure == null ? line : line + " (last: " + failure + ")";
    }

    long sent() {
        return sent.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    long failed() {
        return failed.sum();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Body body = queue.take();
                try {
                    post(body);
                } finally {
                    queuedBytes.addAndGet(-body.bytes().length);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void post(Body body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", body.contentType() == null ? "application/json" : body.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (body.contentEncoding() != null && !body.contentEncoding().isBlank()) {
            request.header("Content-Encoding", body.contentEncoding());
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                sent.increment();
            } else {
                String answer = response.body().strip();
                fail("HTTP " + response.statusCode()
                        + (answer.isEmpty()
                                ? ""
                                : " " + answer.substring(0, Math.min(answer.length(), MAX_QUOTED_RESPONSE))));
            }
        } catch (ConnectException e) {
            // The JDK's client leaves the message of a refused connection empty.
            fail("ConnectException: nothing accepts connections at " + url.getHost() + ":" + port());
        } catch (IOException e) {
            fail(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private int port() {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private void fail(String why) {
        failed.increment();
        lastFailure.set(why);
        if (failureWarnings.allow()) {
            LOG.warn(
                    "Could not forward spans to '{}': {}; {} bodies failed so far. Check that Zipkin runs there"
                            + " (tracing.http.forward-url).",
                    url,
                    why,
                    failed.sum());
        }
    }

    /** Stops posting; bodies still waiting are not forwarded. */
    @Override
    public synchronized void close() {
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
        queue.clear();
    }
}
