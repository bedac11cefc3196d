package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.HotSwap;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginHost;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.tracing.SpanReceiver;
import emp.spi.tracing.SpanSink;
import emp.spi.tracing.TraceSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trace source this server runs, replaced while it runs: the next source starts and delivers to the same sink
 * (so spans go on into the same windows) before the one before closes, and the one before closes only once no body
 * of {@code POST /api/v2/spans} is being handed to it. While a source's plugin is replaced by a newer version
 * ({@link #pause}, {@link #resume}) the bodies that arrive wait for the new version, up to {@link #WAIT_FOR_SWAP}.
 *
 * <p>A replica learns where to send its spans from its environment ({@link #replicaEnvironment}); when the next source
 * gives other variables the reconciler rolls every app's replicas onto them, and until then the old replicas' spans
 * reach the new source only if it collects the same way. Thread-safe.
 */
public final class ActiveTraceSource implements HotSwap, AutoCloseable {
    /** The variable that gives every replica its app's span credential, for a reporter's Authorization header. */
    public static final String SPAN_TOKEN = "EMP_SPAN_TOKEN";
    /** How long a span body or the reconciler waits for a source being replaced. */
    static final Duration WAIT_FOR_SWAP = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ActiveTraceSource.class);

    private record Running(String name, TraceSource source) {
        static final Running NONE = new Running("none", null);
    }

    private final SpanSink sink;
    private final SpanCredentials credentials;
    private final PluginHost plugins;
    private final Function<LoadedExtension, TraceSource> sources;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Running running = Running.NONE;
    /** Told after a swap, when the replicas' variables may have changed. */
    private volatile Runnable afterSwap = () -> {};

    /**
     * @param sink        where every source delivers (the windows, with the credentials checked)
     * @param credentials issues the span credential each replica is given
     * @param sources     makes a trace source of an extension, as the server does at start
     */
    public ActiveTraceSource(
            SpanSink sink,
            SpanCredentials credentials,
            PluginHost plugins,
            Function<LoadedExtension, TraceSource> sources) {
        this.sink = requireNonNull(sink, "sink is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.plugins = requireNonNull(plugins, "plugins is null");
        this.sources = requireNonNull(sources, "sources is null");
    }

    /** Calls {@code action} after every swap from now on: the reconciler looks at every app's variables again. */
    public void afterSwap(Runnable action) {
        this.afterSwap = requireNonNull(action, "action is null");
    }

    /** The name of the source running now, {@code none} when there is none. */
    public String name() {
        return running.name();
    }

    @Override
    public void use(String name) {
        TraceSource next = started(name);
        Running before;
        lock.writeLock().lock();
        try {
            before = running;
            running = new Running(name, next);
        } finally {
            lock.writeLock().unlock();
        }
        closeQuietly(before);
        if (!before.name().equals("none")) {
            log.info("trace source '{}' replaces '{}'", name, before.name());
        }
        afterSwap.run();
    }

    /** Closes the running source and holds span bodies and the replicas' variables until {@link #resume}. */
    @Override
    public void pause() {
        lock.writeLock().lock();
        Running before = running;
        running = Running.NONE;
        closeQuietly(before);
    }

    @Override
    public void resume(String name) {
        try {
            running = new Running(name, started(name));
        } finally {
            if (lock.isWriteLockedByCurrentThread()) {
                lock.writeLock().unlock();
            }
            afterSwap.run();
        }
    }

    /** Whether the running source takes {@code POST /api/v2/spans}. */
    public boolean receivesOverHttp() {
        TraceSource source = running.source();
        return source != null && source.httpReceiver().isPresent();
    }

    /**
     * Hands one body of {@code POST /api/v2/spans} to the running source as {@code sender}'s spans.
     *
     * @throws PlatformException NOT_FOUND when the running source does not collect over HTTP, UNAVAILABLE when a
     *                           replacement takes longer than {@link #WAIT_FOR_SWAP}, and what the receiver throws
     */
    public int receive(byte[] body, String contentType, String contentEncoding, AppRef sender) {
        lockToRead("the span body");
        try {
            Running now = running;
            Optional<SpanReceiver> receiver =
                    now.source() == null ? Optional.empty() : now.source().httpReceiver();
            return receiver.orElseThrow(() -> notOverHttp(now.name()))
                    .receive(body, contentType, contentEncoding, sender);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * What a replica of {@code app} is given to send its spans to the running source, with the app's span credential;
     * nothing without a source.
     */
    public Map<String, String> replicaEnvironment(AppRef app) {
        lockToRead("the replicas' trace variables");
        try {
            TraceSource source = running.source();
            if (source == null) {
                return Map.of();
            }
            String credential = credentials.issue(app);
            Map<String, String> environment = new HashMap<>(source.replicaEnvironment(app, credential));
            environment.put(SPAN_TOKEN, credential);
            return environment;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The running source's check; healthy without one. */
    public Health check() {
        Running now = running;
        return now.source() == null
                ? Health.healthy("no trace source runs (tracing none)")
                : now.source().check();
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closeQuietly(running);
            running = Running.NONE;
        } finally {
            lock.writeLock().unlock();
        }
    }

    static PlatformException notOverHttp(String name) {
        return new PlatformException(
                ErrorCategory.NOT_FOUND,
                "this server does not collect spans over HTTP (its trace source is '" + name + "'); send them where"
                        + " the replica's variables say, or ask an operator for 'emp plugins use tracing http'");
    }

    private TraceSource started(String name) {
        if (name.equals("none")) {
            return null;
        }
        TraceSource next = sources.apply(plugins.select(ExtensionPointKind.TRACING, name));
        try {
            next.start(sink);
        } catch (RuntimeException | LinkageError e) {
            closeQuietly(new Running(name, next));
            throw e;
        }
        return next;
    }

    private void lockToRead(String what) {
        if (lock.readLock().tryLock()) {
            // No swap under way: taken at once, whether or not the thread was interrupted (a server stopping).
            return;
        }
        try {
            if (!lock.readLock().tryLock(WAIT_FOR_SWAP.toMillis(), TimeUnit.MILLISECONDS)) {
                throw PlatformException.unavailable(
                        "the trace source is being replaced and took longer than " + WAIT_FOR_SWAP.toSeconds() + " s; "
                                + what + " can be sent again in a moment",
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PlatformException.unavailable("interrupted while the trace source is replaced", e);
        }
    }

    private static void closeQuietly(Running what) {
        if (what.source() == null) {
            return;
        }
        try {
            what.source().close();
        } catch (RuntimeException e) {
            log.warn("closing trace source '{}' failed: {}", what.name(), e.toString());
        }
    }
}
