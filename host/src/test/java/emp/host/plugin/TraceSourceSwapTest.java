package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.host.TestServer;
import emp.host.auth.AuditLog;
import emp.host.tracing.ActiveTraceSource;
import emp.host.tracing.SpanCredentials;
import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.store.StateStore;
import emp.spi.tracing.SpanSink;
import emp.spi.tracing.TraceSource;
import emp.spi.tracing.TraceSourceFactory;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real tracing-http plugin, upgraded to a newer version while a reporter keeps sending: every span it accepted
 * reaches the same sink, none is refused, the replicas' variables stay the same, and the old version's class loader is
 * collected.
 */
class TraceSourceSwapTest {
    private static final AppRef APP = new AppRef("tracy", "front");

    @TempDir
    Path dir;

    @Test
    void anUpgradeOfTheActiveTraceSourceLosesNoSpanAndReleasesTheOldVersion() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> jars = Files.list(TestServer.pluginsDir())) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
        LongAdder delivered = new LongAdder();
        SpanSink sink = spans -> delivered.add(spans.size());
        try (PluginHost host = new PluginHost(plugins)) {
            host.load();
            try (StateStore store = TestServer.fileStore(host, dir.resolve("data"));
                    ActiveTraceSource source = new ActiveTraceSource(
                            sink, SpanCredentials.load(store), host, extension -> made(extension));
                    PluginAdmin admin = new PluginAdmin(
                            host,
                            store,
                            new AuditLog(store, Clock.systemUTC(), 100),
                            Map.of(ExtensionPointKind.TRACING, "http"),
                            Map.of(ExtensionPointKind.TRACING, "http"))) {
                source.use("http");
                admin.attach(Map.of(ExtensionPointKind.TRACING, source));
                Map<String, String> environment = source.replicaEnvironment(APP);
                WeakReference<ClassLoader> firstLoader = new WeakReference<>(
                        host.select(ExtensionPointKind.TRACING, "http").classLoader());

                AtomicInteger accepted = new AtomicInteger();
                AtomicInteger bodies = new AtomicInteger();
                AtomicReference<Throwable> refused = new AtomicReference<>();
                AtomicBoolean stop = new AtomicBoolean();
                Thread reporter = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            accepted.addAndGet(source.receive(body(i), "application/json", null, APP));
                            bodies.incrementAndGet();
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            refused.compareAndSet(null, e);
                        }
                    }
                });
                reporter.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> bodies.get() >= 20);

                PluginAdmin.Installed upgraded = admin.install(
                        Files.readAllBytes(
                                TestPluginJar.withVersion(plugins.resolve("tracing-http.jar"), dir, "99.0.0")),
                        "root",
                        "127.0.0.1");
                int atUpgrade = bodies.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> bodies.get() >= atUpgrade + 20);
                stop.set(true);
                reporter.join();

                assertThat(refused.get())
                        .as("no body refused while the plugin was upgraded")
                        .isNull();
                assertThat(upgraded.outcome()).isEqualTo(PluginAdmin.Outcome.UPGRADED);
                assertThat(accepted.get()).isEqualTo(bodies.get());
                await().atMost(Duration.ofSeconds(10)).until(() -> delivered.sum() == accepted.get());
                assertThat(source.replicaEnvironment(APP)).isEqualTo(environment);
                assertThat(source.name()).isEqualTo("http");
                assertThat(admin.describe())
                        .filteredOn(plugin -> plugin.id().equals("tracing-http"))
                        .singleElement()
                        .satisfies(plugin -> assertThat(plugin.version()).isEqualTo("99.0.0"));
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            System.gc();
                            return firstLoader.get() == null;
                        });
            }
        }
    }

    private TraceSource made(LoadedExtension extension) {
        return extension.create(
                TraceSource.class,
                factory -> ((TraceSourceFactory) factory)
                        .create(new PluginContext(
                                extension.pluginId(),
                                PluginConfig.empty("tracing.http"),
                                dir.resolve("tracing"),
                                URI.create("http://127.0.0.1:1"),
                                Clock.systemUTC())));
    }

    /** One SERVER span of the app, in Zipkin's JSON v2. */
    private static byte[] body(int i) {
        long now = System.currentTimeMillis() * 1000;
        return ("[{\"traceId\":\"%032x\",\"id\":\"%016x\",\"kind\":\"SERVER\",\"name\":\"get /\",\"timestamp\":%d,"
                        + "\"duration\":1000,\"localEndpoint\":{\"serviceName\":\"tracy/front\"}}]")
                .formatted(i + 1, i + 1, now)
                .getBytes(StandardCharsets.UTF_8);
    }
}
