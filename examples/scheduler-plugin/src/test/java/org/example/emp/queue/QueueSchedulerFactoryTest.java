package org.example.emp.queue;

import static emp.tck.scheduler.Views.load;
import static emp.tck.scheduler.Views.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.Scheduler;
import emp.tck.scheduler.Views;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueSchedulerFactoryTest {
    /** 30 rps x 50 ms = 1.5 requests in service, one at a time per replica. */
    private static final ClusterView VIEW =
            Views.at(0).app(spec("leaf"), 1, load(10, 30, 30, 0, 50, 1)).build();

    @Test
    void isChosenAsQueue() {
        assertThat(new QueueSchedulerFactory().name()).isEqualTo("queue");
    }

    @Test
    void plansSeventyPercentByDefault() {
        assertThat(create(Map.of()).decide(VIEW))
                .singleElement()
                .satisfies(decision ->
                        assertThat(decision.replicas()).as("1.5 / 0.7").isEqualTo(3));
    }

    @Test
    void utilizationIsConfigurable() {
        assertThat(create(Map.of("utilization", "0.35")).decide(VIEW))
                .singleElement()
                .satisfies(decision ->
                        assertThat(decision.replicas()).as("1.5 / 0.35").isEqualTo(5));
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        assertThatThrownBy(() -> create(Map.of("utilisation", "0.5")))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("unknown configuration key 'scheduler.queue.utilisation'");
    }

    @Test
    void aUtilizationOutOfRangeIsRefused() {
        for (String value : new String[] {"1", "0.1", "most", "NaN"}) {
            assertThatThrownBy(() -> create(Map.of("utilization", value)))
                    .isInstanceOf(PlatformException.class)
                    .hasMessage("configuration key 'scheduler.queue.utilization' is '" + value
                            + "'; expected a fraction from 0.2 to 0.95, such as 0.7");
        }
    }

    private static Scheduler create(Map<String, String> settings) {
        return new QueueSchedulerFactory()
                .create(new PluginContext(
                        "queue-scheduler",
                        new PluginConfig(QueueSchedulerFactory.SECTION, settings),
                        Path.of("data", "queue-scheduler"),
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }
}
