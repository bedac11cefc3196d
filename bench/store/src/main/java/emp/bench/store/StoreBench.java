package emp.bench.store;

import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginHost;
import emp.spi.Health;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The store load of bench/store-bench.sh: the state store plugins (store-file, store-redis) loaded from their jars
 * through PF4J exactly as the server loads them ({@link PluginHost}, {@link LoadedExtension#create}), then driven by
 * THREADS threads, one operation at a time each (a closed loop), for a warm-up whose figures are discarded and a
 * measured period. Each operation is measured on every store in turn (get on file, get on redis, then the next
 * operation), so a change of load on the machine falls on both alike. Prints a table of operations per second and
 * latency percentiles (HdrHistogram, from each call's start to its return, as the calling thread saw it), and the
 * fewest and the most calls one thread completed in the measured period: a wide spread says that some threads were
 * starved (by a lock or a pool that is not fair).
 *
 * <pre>
 * StoreBench --plugins DIR --data DIR [--redis-url URL] [--redis-prefix PREFIX] [--redis-set KEY=VALUE]...
 *            [--redis-aof-url URL] [--threads 50] [--warmup 3] [--seconds 10] [--stores file,redis[,redis-aof]]
 *            [--ops get,cas,tx3,append]
 * </pre>
 *
 * {@code redis-aof} is the store-redis plugin again, at {@code --redis-aof-url}: a Redis that the script runs with
 * {@code appendonly yes} and {@code appendfsync always}, so that every commit reaches the disk before it returns, as
 * the file store's do ({@code synchronous=FULL}).
 *
 * The operations: {@code get} reads one of {@value #GET_KEYS} existing entries, chosen at random; {@code cas} reads
 * the thread's own entry and commits one update at the version it read; {@code tx3} commits three updates (to the
 * thread's own entries in three collections, each at the version the previous commit returned) as one transaction;
 * {@code append} appends an event to the thread's own log, kept at {@value #LOG_KEPT} records as the server keeps
 * an app's events. Values are JSON of about the size the server writes (an app's spec, an event).
 */
public final class StoreBench {
    private static final int GET_KEYS = 1000;
    private static final int LOG_KEPT = 1000;
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String PAD = "x".repeat(180);

    private StoreBench() {}

    /** One measured operation, made for one thread of one store by {@link #prepare}. */
    @FunctionalInterface
    private interface Call {
        void run();
    }

    private enum Operation {
        GET("get", "get (existing key)"),
        CAS("cas", "get + CAS commit"),
        TX3("tx3", "commit of 3 writes"),
        APPEND("append", "log append");

        final String id;
        final String label;

        Operation(String id, String label) {
            this.id = id;
            this.label = label;
        }

        static Operation of(String id) {
            for (Operation operation : values()) {
                if (operation.id.equals(id)) {
                    return operation;
                }
            }
            throw new IllegalArgumentException(
                    "unknown operation '" + id + "'; the operations are get, cas, tx3, append");
        }
    }

    private record Options(
            Path plugins,
            Path data,
            String redisUrl,
            String redisPrefix,
            String redisAofUrl,
            Map<String, String> redisSettings,
            int threads,
            int warmupSeconds,
            int seconds,
            List<String> stores,
            List<Operation> operations) {}

    /** What one run measured: successful calls' latencies, and the calls that failed, by reason. */
    private record Result(
            Histogram latency,
            long fewestByOneThread,
            long mostByOneThread,
            long conflicts,
            Map<String, Long> errors,
            String loadBefore) {}

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        try (PluginHost plugins = new PluginHost(options.plugins())) {
            plugins.load();
            Map<String, StateStore> stores = new LinkedHashMap<>();
            try {
                for (String name : options.stores()) {
                    stores.put(name, open(plugins, name, options));
                }
                for (Map.Entry<String, StateStore> store : stores.entrySet()) {
                    Health health = store.getValue().check();
                    System.out.println(
                            "store-bench: " + store.getKey() + ": " + health.detail() + " (" + store.getValue() + ")");
                    if (!health.healthy()) {
                        throw new IllegalStateException("the " + store.getKey() + " store is not healthy: "
                                + health.detail() + "; start its backend and run again");
                    }
                }
                run(options, stores);
            } finally {
                stores.values().forEach(StateStore::close);
            }
        }
    }

    private static StateStore open(PluginHost plugins, String name, Options options) {
        String plugin = name.equals("redis-aof") ? "redis" : name;
        LoadedExtension extension = plugins.select(ExtensionPointKind.STORE, plugin);
        Map<String, String> settings = new LinkedHashMap<>();
        if (plugin.equals("redis")) {
            if (name.equals("redis-aof") && options.redisAofUrl() == null) {
                throw new IllegalArgumentException("the redis-aof store needs --redis-aof-url URL");
            }
            settings.put("url", name.equals("redis-aof") ? options.redisAofUrl() : options.redisUrl());
            settings.put("prefix", options.redisPrefix());
            settings.putAll(options.redisSettings());
        }
        PluginContext context = new PluginContext(
                extension.pluginId(),
                new PluginConfig("store." + plugin, settings),
                options.data().resolve(extension.pluginId()),
                URI.create("http://127.0.0.1:1"),
                Clock.systemUTC());
        StateStore store = extension.create(StateStore.class, factory -> ((StateStoreFactory) factory).create(context));
        store.start();
        return store;
    }

    private static void run(Options options, Map<String, StateStore> stores) throws InterruptedException {
        System.out.printf(
                Locale.ROOT,
                "store-bench: %d threads, one call at a time each; per row a %d s warm-up, then %d s measured%n",
                options.threads(),
                options.warmupSeconds(),
                options.seconds());
        String format = "%-20s %-9s %10s %8s %8s %8s %8s %9s %15s %8s  %s%n";
        System.out.printf(
                Locale.ROOT,
                format,
                "operation",
                "store",
                "ops/s",
                "mean ms",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "calls/thread",
                "failures",
                "loadavg before");
        Map<Operation, Map<String, Double>> rates = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Operation operation : options.operations()) {
            for (Map.Entry<String, StateStore> store : stores.entrySet()) {
                System.gc();
                Result result = measure(options, operation, store.getValue());
                Histogram latency = result.latency();
                double rate = latency.getTotalCount() / (double) options.seconds();
                rates.computeIfAbsent(operation, key -> new LinkedHashMap<>()).put(store.getKey(), rate);
                long failed = result.conflicts()
                        + result.errors().values().stream()
                                .mapToLong(Long::longValue)
                                .sum();
                System.out.printf(
                        Locale.ROOT,
                        format,
                        operation.label,
                        store.getKey(),
                        String.format(Locale.ROOT, "%.0f", rate),
                        String.format(Locale.ROOT, "%.3f", latency.getMean() / 1e6),
                        millis(latency.getValueAtPercentile(50)),
                        millis(latency.getValueAtPercentile(90)),
                        millis(latency.getValueAtPercentile(99)),
                        millis(latency.getMaxValue()),
                        result.fewestByOneThread() + "-" + result.mostByOneThread(),
                        failed,
                        result.loadBefore());
                if (result.conflicts() > 0) {
                    failures.add(operation.id + " on " + store.getKey() + ": " + result.conflicts()
                            + " version conflicts (none expected: every thread writes its own entries)");
                }
                result.errors()
                        .forEach((reason, count) ->
                                failures.add(operation.id + " on " + store.getKey() + ": " + count + " x " + reason));
            }
        }
        if (stores.containsKey("file")) {
            for (Map.Entry<Operation, Map<String, Double>> rate : rates.entrySet()) {
                StringBuilder line = new StringBuilder("store-bench: " + rate.getKey().label + ": ops/s against file:");
                rate.getValue().forEach((name, value) -> {
                    if (!name.equals("file")) {
                        line.append(String.format(
                                Locale.ROOT,
                                " %s %.2fx",
                                name,
                                value / rate.getValue().get("file")));
                    }
                });
                System.out.println(line);
            }
        }
        failures.forEach(failure -> System.out.println("store-bench: failed calls: " + failure));
    }

    private static Result measure(Options options, Operation operation, StateStore store) throws InterruptedException {
        String run = Long.toString(System.nanoTime(), 36);
        if (operation == Operation.GET) {
            seedGets(store, run);
        }
        List<Call> calls = new ArrayList<>();
        for (int thread = 0; thread < options.threads(); thread++) {
            calls.add(prepare(operation, store, run, thread));
        }
        CountDownLatch ready = new CountDownLatch(options.threads());
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[3]; // start, start of the measured period, end; written before go opens
        Histogram[] latencies = new Histogram[options.threads()];
        LongAdder conflicts = new LongAdder();
        ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < options.threads(); i++) {
            int index = i;
            Call call = calls.get(i);
            latencies[i] = new Histogram(HIGHEST_NANOS, 3);
            Thread thread = new Thread(
                    () -> {
                        ready.countDown();
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        Histogram latency = latencies[index];
                        long measureFrom = window[1];
                        long end = window[2];
                        while (true) {
                            long start = System.nanoTime();
                            if (start >= end) {
                                break;
                            }
                            boolean ok = false;
                            try {
                                call.run();
                                ok = true;
                            } catch (VersionConflictException e) {
                                if (start >= measureFrom) {
                                    conflicts.increment();
                                }
                            } catch (RuntimeException e) {
                                if (start >= measureFrom) {
                                    errors.computeIfAbsent(reason(e), key -> new LongAdder())
                                            .increment();
                                }
                            }
                            long took = System.nanoTime() - start;
                            if (ok && start >= measureFrom) {
                                latency.recordValue(Math.min(took, HIGHEST_NANOS));
                            }
                        }
                    },
                    "store-bench-" + operation.id + "-" + i);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        String loadBefore = loadAverage();
        window[0] = System.nanoTime();
        window[1] = window[0] + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        window[2] = window[1] + TimeUnit.SECONDS.toNanos(options.seconds());
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        Histogram all = new Histogram(HIGHEST_NANOS, 3);
        long fewest = Long.MAX_VALUE;
        long most = 0;
        for (Histogram latency : latencies) {
            all.add(latency);
            fewest = Math.min(fewest, latency.getTotalCount());
            most = Math.max(most, latency.getTotalCount());
        }
        Map<String, Long> errorCounts = new LinkedHashMap<>();
        errors.forEach((reason, count) -> errorCounts.put(reason, count.sum()));
        return new Result(all, fewest, most, conflicts.sum(), errorCounts, loadBefore);
    }

    private static void seedGets(StateStore store, String run) {
        for (int i = 0; i < GET_KEYS; i += 50) {
            List<Write> writes = new ArrayList<>();
            for (int j = i; j < Math.min(i + 50, GET_KEYS); j++) {
                writes.add(Write.create("bench-get-" + run, key(j), appValue(j, 0)));
            }
            store.commit(writes);
        }
    }

    /** Creates what the thread's calls need and returns its call. */
    private static Call prepare(Operation operation, StateStore store, String run, int thread) {
        String key = key(thread);
        switch (operation) {
            case GET -> {
                String collection = "bench-get-" + run;
                return () -> {
                    String wanted = key(ThreadLocalRandom.current().nextInt(GET_KEYS));
                    if (store.get(collection, wanted).isEmpty()) {
                        throw new IllegalStateException("entry '" + collection + "/" + wanted + "' is missing");
                    }
                };
            }
            case CAS -> {
                String collection = "bench-cas-" + run;
                store.commit(Write.create(collection, key, appValue(thread, 0)));
                long[] counter = {0};
                return () -> {
                    Optional<Entry> entry = store.get(collection, key);
                    if (entry.isEmpty()) {
                        throw new IllegalStateException("entry '" + collection + "/" + key + "' is missing");
                    }
                    store.commit(Write.update(
                            collection,
                            key,
                            appValue(thread, ++counter[0]),
                            entry.get().version()));
                };
            }
            case TX3 -> {
                List<String> collections =
                        List.of("bench-tx-apps-" + run, "bench-tx-status-" + run, "bench-tx-index-" + run);
                List<Write> creates = new ArrayList<>();
                collections.forEach(collection -> creates.add(Write.create(collection, key, appValue(thread, 0))));
                List<Long> versions = new ArrayList<>(store.commit(creates));
                long[] counter = {0};
                return () -> {
                    long n = ++counter[0];
                    List<Write> writes = new ArrayList<>(3);
                    for (int i = 0; i < 3; i++) {
                        writes.add(Write.update(collections.get(i), key, appValue(thread, n), versions.get(i)));
                    }
                    List<Long> committed = store.commit(writes);
                    for (int i = 0; i < 3; i++) {
                        versions.set(i, committed.get(i));
                    }
                };
            }
            case APPEND -> {
                String log = "bench-log-" + run + "-" + key;
                long[] counter = {0};
                return () -> store.append(log, eventValue(++counter[0]), LOG_KEPT);
            }
            default -> throw new IllegalStateException("no workload for " + operation);
        }
    }

    private static String key(int i) {
        return String.format(Locale.ROOT, "app-%04d", i);
    }

    /** About 400 bytes of JSON, like an app's stored spec. */
    private static String appValue(int app, long revision) {
        return "{\"name\":\"app-" + app + "\",\"owner\":\"bench\",\"command\":[\"java\",\"-jar\","
                + "\"/opt/emp/examples/hello.jar\"],\"replicas\":1,\"health\":{\"path\":\"/health\"},"
                + "\"env\":[{\"name\":\"GREETING\",\"value\":\"hello\"}],\"revision\":" + revision + ",\"note\":\""
                + PAD + "\"}";
    }

    /** About 100 bytes of JSON, like one of an app's events. */
    private static String eventValue(long n) {
        return "{\"at\":\"2026-11-27T23:59:59.123Z\",\"type\":\"scaled\",\"message\":\"replicas 1 -> 2 (event " + n
                + ")\"}";
    }

    private static String reason(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + ": " + (message.length() > 200 ? message.substring(0, 200) : message);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "?";
        }
    }

    private static Options parse(String[] args) {
        Path plugins = null;
        Path data = null;
        String redisUrl = "redis://127.0.0.1:6379";
        String redisPrefix = null;
        String redisAofUrl = null;
        Map<String, String> redisSettings = new LinkedHashMap<>();
        int threads = 50;
        int warmup = 3;
        int seconds = 10;
        List<String> stores = List.of("file", "redis");
        List<Operation> operations = List.of(Operation.values());
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--plugins" -> plugins = Path.of(value);
                case "--data" -> data = Path.of(value);
                case "--redis-url" -> redisUrl = value;
                case "--redis-prefix" -> redisPrefix = value;
                case "--redis-aof-url" -> redisAofUrl = value;
                case "--redis-set" -> {
                    int equals = value.indexOf('=');
                    if (equals < 1) {
                        throw new IllegalArgumentException("--redis-set takes KEY=VALUE, e.g. pool-size=64: " + value);
                    }
                    redisSettings.put(value.substring(0, equals), value.substring(equals + 1));
                }
                case "--threads" -> threads = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--stores" -> stores = List.of(value.split(","));
                case "--ops" ->
                    operations =
                            Arrays.stream(value.split(",")).map(Operation::of).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (plugins == null || data == null) {
            throw new IllegalArgumentException("--plugins DIR and --data DIR are required");
        }
        if ((stores.contains("redis") || stores.contains("redis-aof")) && redisPrefix == null) {
            throw new IllegalArgumentException(
                    "--redis-prefix is required with the redis store: a prefix of this run's own, whose keys are"
                            + " deleted afterwards");
        }
        if (threads < 1 || warmup < 0 || seconds < 1) {
            throw new IllegalArgumentException("--threads and --seconds must be positive, --warmup not negative");
        }
        return new Options(
                plugins,
                data,
                redisUrl,
                redisPrefix,
                redisAofUrl,
                redisSettings,
                threads,
                warmup,
                seconds,
                stores,
                operations);
    }
}
