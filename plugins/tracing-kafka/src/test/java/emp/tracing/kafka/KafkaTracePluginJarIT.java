package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.tracing.TraceSource;
import emp.spi.tracing.TraceSourceFactory;
import emp.testsupport.KafkaBroker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import zipkin2.codec.SpanBytesEncoder;

/** The plugin as an operator installs it: the one shaded jar, loaded by PF4J, with nothing of Kafka's on the host. */
class KafkaTracePluginJarIT {
    @TempDir
    Path plugins;

    @TempDir
    Path data;

    @Test
    void theJarHoldsItsLibrariesButNotTheHostsOwn() throws Exception {
        try (JarFile jar = new JarFile(pluginJar().toFile())) {
            List<String> entries = Collections.list(jar.entries()).stream()
                    .map(ZipEntry::getName)
                    .toList();

            assertThat(entries)
                    .contains(
                            "META-INF/extensions.idx",
                            "emp/tracing/kafka/KafkaTraceSourceFactory.class",
                            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                            "zipkin2/codec/SpanBytesDecoder.class");
            assertThat(entries)
                    .noneMatch(entry -> entry.startsWith("emp/spi/")
                            || entry.startsWith("org/pf4j/")
                            || entry.startsWith("org/slf4j/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id"))
                    .isEqualTo("tracing-kafka");
        }
    }

    @Test
    void loadedByPf4jItReadsSpansFromARealBroker() throws Exception {
        Files.copy(pluginJar(), plugins.resolve(pluginJar().getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        try (KafkaBroker broker = KafkaBroker.started()) {
            manager.loadPlugins();
            manager.startPlugins();
            List<TraceSourceFactory> factories = manager.getExtensions(TraceSourceFactory.class, "tracing-kafka");
            assertThat(factories).extracting(TraceSourceFactory::name).containsExactly("kafka");
            TraceSourceFactory factory = factories.get(0);
            assertThat(factory.getClass().getClassLoader())
                    .isSameAs(manager.getPlugin("tracing-kafka").getPluginClassLoader());

            broker.createTopic("zipkin", 1);
            CollectingSink sink = new CollectingSink();
            // A host thread whose context class loader knows nothing of Kafka: the source must not depend on it.
            Thread.currentThread().setContextClassLoader(ClassLoader.getPlatformClassLoader());
            try (TraceSource source = factory.create(new PluginContext(
                    "tracing-kafka",
                    new PluginConfig(KafkaTraceConfig.SECTION, Map.of("bootstrap-servers", broker.bootstrapServers())),
                    data,
                    URI.create("http://127.0.0.1:7070"),
                    Clock.systemUTC()))) {
                source.start(sink);
                Thread.currentThread().setContextClassLoader(original);

                String traceId = "3000000000000000a000000000000001";
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                            "zipkin",
                            SpanBytesEncoder.PROTO3.encodeList(
                                    SampleSpans.of(SampleSpans.FRONT, SampleSpans.trace(traceId))));
                    record.headers()
                            .add(
                                    KafkaTraceSource.TOKEN_HEADER,
                                    SampleSpans.FRONT_TOKEN.getBytes(StandardCharsets.UTF_8));
                    producer.send(record).get();
                }

                await().atMost(Duration.ofSeconds(60))
                        .until(() -> sink.ofTrace(traceId).size() == 2);
                assertThat(source.check().healthy()).isTrue();
            }
        } finally {
            Thread.currentThread().setContextClassLoader(original);
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    private static Path pluginJar() {
        String jar = System.getProperty("plugin.jar");
        assertThat(jar)
                .as("system property plugin.jar, set by the failsafe plugin")
                .isNotNull();
        assertThat(Path.of(jar)).as("the shaded plugin jar; run `mvn verify`").isRegularFile();
        return Path.of(jar);
    }
}
