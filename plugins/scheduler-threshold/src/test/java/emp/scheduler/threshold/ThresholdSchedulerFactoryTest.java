package emp.scheduler.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.WindowMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdSchedulerFactoryTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private final ThresholdSchedulerFactory factory = new ThresholdSchedulerFactory();

    private static PluginContext context(Map<String, String> values) {
        return new PluginContext(
                "scheduler-threshold",
                new PluginConfig(ThresholdConfig.SECTION, values),
                Path.of("data/scheduler-threshold"),
                URI.create("http://127.0.0.1:7070"),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void isChosenByTheNameThreshold() {
        assertThat(factory.name()).isEqualTo("threshold");
        assertThat(factory.description()).contains("each app judged alone");
    }

    @Test
    void isListedAsAPf4jExtension() throws IOException {
        StringBuilder index = new StringBuilder();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
            try (InputStream in = url.openStream()) {
                index.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }

        assertThat(index.toString()).contains(ThresholdSchedulerFactory.class.getName());
    }

    @Test
    void theSchedulerItMakesUsesTheConfiguredSection() {
        Scheduler scheduler = factory.create(context(Map.of("min-spans", "500")));
        AppView songs = new AppView(
                SONGS,
                new AppSpec(
                        "songs",
                        null,
                        null,
                        null,
                        null,
                        List.of(new QualityMetric(QualityMetric.LATENCY_P95_MS, "200")),
                        List.of("run"),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                1,
                1,
                new WindowMetrics(10, 499, 49.9, 0, 200, 410, 500, 200, 10),
                List.of());

        assertThat(scheduler.decide(new ClusterView(NOW, Map.of(SONGS, songs)))).isEmpty();
        assertThat(factory.create(context(Map.of())).decide(new ClusterView(NOW, Map.of(SONGS, songs))))
                .containsExactly(new ScaleDecision(SONGS, 2, "p95 410 ms > 200 ms target"));
    }

    @Test
    void aTypoInTheSectionFailsCreationByName() {
        assertThatThrownBy(() -> factory.create(context(Map.of("min-span", "5"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains("'scheduler.threshold.min-span'");
                });
    }
}
