package emp.scheduler.tracegraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceGraphConfigTest {
    @Test
    void defaults() {
        assertThat(bind(Map.of()))
                .isEqualTo(TraceGraphConfig.defaults())
                .isEqualTo(new TraceGraphConfig(
                        20,
                        0.7,
                        1.0,
                        1.5,
                        0.2,
                        Duration.ofMinutes(5),
                        0.5,
                        0.6,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(4),
                        0.05));
    }

    @Test
    void everyKey() {
        TraceGraphConfig config = bind(Map.ofEntries(
                Map.entry("min-spans", "50"),
                Map.entry("target-utilization", "0.8"),
                Map.entry("default-knee", "8"),
                Map.entry("rise", "2"),
                Map.entry("min-share", "0.3"),
                Map.entry("history", "10m"),
                Map.entry("scale-down-below", "0.4"),
                Map.entry("scale-down-utilization", "0.5"),
                Map.entry("scale-down-after", "2m"),
                Map.entry("trend-window", "6s"),
                Map.entry("saturation-growth", "0.1")));

        assertThat(config)
                .isEqualTo(new TraceGraphConfig(
                        50,
                        0.8,
                        8,
                        2,
                        0.3,
                        Duration.ofMinutes(10),
                        0.4,
                        0.5,
                        Duration.ofMinutes(2),
                        Duration.ofSeconds(6),
                        0.1));
    }

    @Test
    void keysAreMatchedTheWayEnvironmentVariablesSpellThem() {
        TraceGraphConfig config = bind(Map.of("TARGET_UTILIZATION", "0.9", "SCALE_DOWN_AFTER", "45s"));

        assertThat(config.targetUtilization()).isEqualTo(0.9);
        assertThat(config.scaleDownAfter()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void theScaleDownUtilizationDefaultsToNoMoreThanTheTargetUtilization() {
        assertThat(bind(Map.of("target-utilization", "0.5")).scaleDownUtilization())
                .isEqualTo(0.5);
    }

    @Test
    void unknownKeyIsRefusedByName() {
        assertThatThrownBy(() -> bind(Map.of("target-utilisation", "0.7")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage())
                            .contains("'scheduler.tracegraph.target-utilisation'")
                            .contains("target-utilization");
                });
    }

    @Test
    void badValuesAreRefusedByName() {
        assertInvalid("min-spans", "0");
        assertInvalid("trend-window", "0s");
        assertInvalid("saturation-growth", "0");
        assertInvalid("min-spans", "many");
        assertInvalid("target-utilization", "0");
        assertInvalid("target-utilization", "1.2");
        assertInvalid("target-utilization", "NaN");
        assertInvalid("default-knee", "0");
        assertInvalid("default-knee", "-1");
        assertInvalid("rise", "1");
        assertInvalid("rise", "Infinity");
        assertInvalid("min-share", "0");
        assertInvalid("min-share", "1.5");
        assertInvalid("history", "0s");
        assertInvalid("history", "forever");
        assertInvalid("scale-down-below", "1");
        assertInvalid("scale-down-below", "half");
        assertInvalid("scale-down-utilization", "0");
        assertInvalid("scale-down-after", "0s");
    }

    @Test
    void aScaleDownUtilizationOverTheTargetUtilizationIsRefusedNamingBoth() {
        assertThatThrownBy(() -> bind(Map.of("target-utilization", "0.6", "scale-down-utilization", "0.65")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.field()).contains("scheduler.tracegraph.scale-down-utilization");
                    assertThat(e.getMessage())
                            .contains("'scheduler.tracegraph.scale-down-utilization' is '0.65'")
                            .contains("scheduler.tracegraph.target-utilization (0.6)");
                });
    }

    private static void assertInvalid(String key, String value) {
        assertThatThrownBy(() -> bind(Map.of(key, value)))
                .as("%s: %s", key, value)
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("scheduler.tracegraph." + key);
                    assertThat(e.getMessage()).contains("'scheduler.tracegraph." + key + "'");
                });
    }

    private static TraceGraphConfig bind(Map<String, String> values) {
        return TraceGraphConfig.from(new PluginConfig(TraceGraphConfig.SECTION, values));
    }
}
