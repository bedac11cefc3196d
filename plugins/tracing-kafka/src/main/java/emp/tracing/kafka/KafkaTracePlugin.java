package emp.tracing.kafka;

/** The PF4J plugin of the Kafka trace source; its one extension is {@link KafkaTraceSourceFactory}. */
public final class KafkaTracePlugin extends org.pf4j.Plugin {}
