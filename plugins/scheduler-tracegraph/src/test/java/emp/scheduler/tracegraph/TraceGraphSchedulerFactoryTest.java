package emp.scheduler.tracegraph;

import static emp.tck.scheduler.Views.metrics;
import static emp.tck.scheduler.Views.p95;
import static emp.tck.scheduler.Views.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.tck.scheduler.Views;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceGraphSchedulerFactoryTest {
    @TempDir
    Path dataDir;

    @Test
    void isChosenByTheNameTracegraph() {
        TraceGraphSchedulerFactory factory = new TraceGraphSchedulerFactory();

        assertThat(factory.name()).isEqualTo("tracegraph");
        assertThat(factory.description()).contains("Little's law");
    }

    @Test
    void theSchedulerItMakesUsesTheConfiguration() {
        Scheduler scheduler = create(Map.of("min-spans", "100"));

        // 50 spans: enough for the default of 20, not for the configured 100.
        assertThat(scheduler.decide(Views.at(0)
                        .app(spec("songs", p95(100)), 1, metrics(5, 500, 900))
                        .build()))
                .isEmpty();
        assertThat(create(Map.of())
                        .decide(Views.at(0)
                                .app(spec("songs", p95(100)), 1, metrics(5, 500, 900))
                                .build()))
                .extracting(ScaleDecision::replicas)
                .containsExactly(2);
    }

    @Test
    void aBadKeyFailsTheCreationNamingIt() {
        assertThatThrownBy(() -> create(Map.of("rise", "0.5")))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("'scheduler.tracegraph.rise' is '0.5'");
    }

    private Scheduler create(Map<String, String> values) {
        return new TraceGraphSchedulerFactory()
                .create(new PluginContext(
                        "scheduler-tracegraph",
                        new PluginConfig(TraceGraphConfig.SECTION, values),
                        dataDir,
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }
}
