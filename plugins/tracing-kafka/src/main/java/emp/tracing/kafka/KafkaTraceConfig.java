package emp.tracing.kafka;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code tracing.kafka} section of the server configuration.
 *
 * @param bootstrapServers the brokers to read from, {@code host:port[,host:port...]} ({@code bootstrap-servers},
 *                         required); replicas get the same value as {@code KAFKA_ADDRESS}
 * @param topic            the topic the apps send spans to ({@code topic}, default {@code zipkin}, as Zipkin reads)
 * @param group            EMP's consumer group ({@code group}, default {@code emp}); it must differ from Zipkin's
 *                         ({@code zipkin}) so both see every span
 * @param offsetReset      where a group without committed offsets starts ({@code offset-reset}, {@code earliest} or
 *                         {@code latest}, default {@code earliest} as Zipkin does, so no span sent before the first
 *                         start is lost)
 * @param unhealthyAfter   how long without contact with the brokers before {@code check()} reports them unreachable
 *                         ({@code unhealthy-after}, default 15s)
 */
public record KafkaTraceConfig(
        String bootstrapServers, String topic, String group, String offsetReset, Duration unhealthyAfter) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "tracing.kafka";

    static final String BOOTSTRAP_SERVERS = "bootstrap-servers";
    static final String TOPIC = "topic";
    static final String GROUP = "group";
    static final String OFFSET_RESET = "offset-reset";
    static final String UNHEALTHY_AFTER = "unhealthy-after";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, TOPIC, GROUP, OFFSET_RESET, UNHEALTHY_AFTER);

    private static final Pattern SERVER = Pattern.compile("[^\\s,:]+:\\d{1,5}");
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public KafkaTraceConfig {
        requireNonNull(bootstrapServers, "bootstrapServers is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(group, "group is null");
        requireNonNull(offsetReset, "offsetReset is null");
        requireNonNull(unhealthyAfter, "unhealthyAfter is null");
        if (!offsetReset.equals("earliest") && !offsetReset.equals("latest")) {
            throw new IllegalArgumentException("offsetReset is neither earliest nor latest: " + offsetReset);
        }
        if (unhealthyAfter.isNegative() || unhealthyAfter.isZero()) {
            throw new IllegalArgumentException("unhealthyAfter is not above zero: " + unhealthyAfter);
        }
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is missing, unknown or has a bad value
     */
    public static KafkaTraceConfig from(PluginConfig config) {
        config.requireKnown(KEYS);
        String servers = config.get(BOOTSTRAP_SERVERS)
                .orElseThrow(() -> PlatformException.invalid(
                        config.fullKey(BOOTSTRAP_SERVERS),
                        "configuration key '" + config.fullKey(BOOTSTRAP_SERVERS)
                                + "' is missing; set it to the Kafka brokers the apps send spans to, e.g."
                                + " 127.0.0.1:9092 (or EMP_TRACING_KAFKA_BOOTSTRAP_SERVERS)"));
        for (String server : servers.split(",", -1)) {
            if (!SERVER.matcher(server.trim()).matches()) {
                throw PlatformException.invalid(
                        config.fullKey(BOOTSTRAP_SERVERS),
                        "configuration key '" + config.fullKey(BOOTSTRAP_SERVERS) + "' is '" + servers
                                + "'; expected host:port pairs separated by commas, e.g. 10.0.0.5:9092,10.0.0.6:9092");
            }
        }
        String topic = config.string(TOPIC, "zipkin");
        if (!TOPIC_NAME.matcher(topic).matches()) {
            throw PlatformException.invalid(
                    config.fullKey(TOPIC),
                    "configuration key '" + config.fullKey(TOPIC) + "' is '" + topic
                            + "'; expected a Kafka topic name (letters, digits, '.', '_' and '-')");
        }
        String offsetReset = config.string(OFFSET_RESET, "earliest").toLowerCase(Locale.ROOT);
        if (!offsetReset.equals("earliest") && !offsetReset.equals("latest")) {
            throw PlatformException.invalid(
                    config.fullKey(OFFSET_RESET),
                    "configuration key '" + config.fullKey(OFFSET_RESET) + "' is '" + offsetReset
                            + "'; expected earliest or latest");
        }
        Duration unhealthyAfter = config.positiveDuration(UNHEALTHY_AFTER, Duration.ofSeconds(15));
        return new KafkaTraceConfig(
                servers.replace(" ", ""), topic, config.string(GROUP, "emp"), offsetReset, unhealthyAfter);
    }
}
