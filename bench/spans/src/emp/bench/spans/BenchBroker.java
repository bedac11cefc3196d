package emp.bench.spans;

import emp.testsupport.KafkaBroker;
import java.util.Arrays;
import java.util.List;

/**
 * A Kafka broker for bench/span-ingest.sh, from the test harness ({@link KafkaBroker}) with the JVM options given as
 * arguments instead of its fast-start defaults. Prints {@code BOOTSTRAP host:port} once topic TOPIC exists, then runs
 * until it is stopped (SIGTERM), which stops the broker and deletes its data.
 *
 * <pre>BenchBroker TOPIC PARTITIONS JVM_OPTION...</pre>
 */
public final class BenchBroker {
    private BenchBroker() {}

    public static void main(String[] args) throws InterruptedException {
        String topic = args[0];
        int partitions = Integer.parseInt(args[1]);
        List<String> jvmOptions = Arrays.asList(args).subList(2, args.length);
        KafkaBroker broker = KafkaBroker.builder()
                .jvmOptions(jvmOptions)
                .property("num.partitions", String.valueOf(partitions))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-stop"));
        broker.start();
        broker.createTopic(topic, partitions);
        System.out.println("BOOTSTRAP " + broker.bootstrapServers());
        System.out.println("BROKER-LOG " + broker.logFile());
        Thread.currentThread().join();
    }
}
