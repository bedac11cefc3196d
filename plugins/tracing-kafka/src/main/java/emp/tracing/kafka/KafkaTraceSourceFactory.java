package emp.tracing.kafka;

import emp.spi.PluginContext;
import emp.spi.tracing.TraceSource;
import emp.spi.tracing.TraceSourceFactory;
import org.pf4j.Extension;

/** Chosen by {@code tracing.use: kafka}: spans that apps send to Kafka topic {@code zipkin}. */
@Extension
public final class KafkaTraceSourceFactory implements TraceSourceFactory {
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "spans from a Kafka topic (default 'zipkin'), in a consumer group of EMP's own beside Zipkin's";
    }

    /**
     * @throws emp.spi.PlatformException of category INVALID naming the key, when {@code tracing.kafka.bootstrap-servers}
     *     is missing or a key is unknown or malformed
     */
    @Override
    public TraceSource create(PluginContext context) {
        return new KafkaTraceSource(KafkaTraceConfig.from(context.config()), context.clock());
    }
}
