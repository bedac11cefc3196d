package emp.host.metrics;

import static java.util.Objects.requireNonNull;

import emp.spi.Health;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The state store as the host calls it, each call timed for {@code /metrics} ({@code emp_store_operations_seconds},
 * by operation and outcome): what the store plugin costs the control plane, whichever plugin it is. Reads the host
 * answers from memory ({@link emp.host.store.CachedStore}) never reach it, so these are the calls that do.
 */
public final class TimedStore implements StateStore {
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    private final StateStore store;
    private final MeterRegistry registry;

    public TimedStore(StateStore store, MeterRegistry registry) {
        this.store = requireNonNull(store, "store is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    @Override
    public void start() {
        store.start();
    }

    @Override
    public Optional<Entry> get(String collection, String key) {
        return timed("get", () -> store.get(collection, key));
    }

    @Override
    public List<Entry> list(String collection) {
        return timed("list", () -> store.list(collection));
    }

    @Override
    public List<Long> commit(List<Write> writes) {
        return timed("commit", () -> store.commit(writes));
    }

    @Override
    public long append(String log, String value, int maxLength) {
        return timed("append", () -> store.append(log, value, maxLength));
    }

    @Override
    public List<LogRecord> read(String log, long afterSequence, int limit) {
        return timed("read", () -> store.read(log, afterSequence, limit));
    }

    @Override
    public List<LogRecord> tail(String log, int limit) {
        return timed("tail", () -> store.tail(log, limit));
    }

    @Override
    public void deleteLog(String log) {
        timed("delete-log", () -> {
            store.deleteLog(log);
            return null;
        });
    }

    @Override
    public Optional<AutoCloseable> watch(String collection, ChangeListener listener) {
        return store.watch(collection, listener);
    }

    @Override
    public Health check() {
        return store.check();
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return store.toString();
    }

    private <T> T timed(String operation, Supplier<T> call) {
        long began = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "ok";
            return result;
        } finally {
            Timer.builder("emp.store.operations")
                    .description("calls of the host to the state store plugin, by operation and outcome")
                    .tag("operation", operation)
                    .tag("outcome", outcome)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - began));
        }
    }
}
