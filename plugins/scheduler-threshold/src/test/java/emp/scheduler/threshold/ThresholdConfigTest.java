package emp.scheduler.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdConfigTest {
    private static ThresholdConfig bind(Map<String, String> values) {
        return ThresholdConfig.from(new PluginConfig(ThresholdConfig.SECTION, values));
    }

    @Test
    void defaultsAreTwentySpansHalfTheTargetAndEachAppsOwnLowRate() {
        ThresholdConfig config = bind(Map.of());

        assertThat(config).isEqualTo(ThresholdConfig.defaults());
        assertThat(config.minSpans()).isEqualTo(20);
        assertThat(config.scaleDownBelow()).isEqualTo(0.5);
        assertThat(config.lowRatePerReplica()).isEmpty();
    }

    @Test
    void minSpansIsBound() {
        assertThat(bind(Map.of("min-spans", "100")).minSpans()).isEqualTo(100);
        assertThat(bind(Map.of("min-spans", "1")).minSpans()).isEqualTo(1);
    }

    @Test
    void scaleDownBelowIsBound() {
        assertThat(bind(Map.of("scale-down-below", "0.3")).scaleDownBelow()).isEqualTo(0.3);
    }

    @Test
    void lowRatePerReplicaIsBound() {
        assertThat(bind(Map.of("low-rate-per-replica", "2.5")).lowRatePerReplica())
                .isEqualTo(OptionalDouble.of(2.5));
    }

    @Test
    void keysAreMatchedAsTheEnvironmentWritesThem() {
        ThresholdConfig config =
                bind(Map.of("MIN_SPANS", "50", "Scale_Down_Below", "0.4", "low.rate.per.replica", "8"));

        assertThat(config).isEqualTo(new ThresholdConfig(50, 0.4, OptionalDouble.of(8)));
    }

    @Test
    void blankValuesMeanTheDefaults() {
        assertThat(bind(Map.of("min-spans", " ", "scale-down-below", "", "low-rate-per-replica", "  ")))
                .isEqualTo(ThresholdConfig.defaults());
    }

    @Test
    void unknownKeyIsRejectedByName() {
        assertThatThrownBy(() -> bind(Map.of("scale-down", "0.5")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("scheduler.threshold.scale_down");
                    assertThat(e.getMessage())
                            .contains("'scheduler.threshold.scale-down'", "scale-down-below", "min-spans");
                });
    }

    @ParameterizedTest
    @CsvSource({
        "min-spans, 0, an integer from 1",
        "min-spans, many, an integer from 1",
        "min-spans, 2.5, an integer from 1",
        "scale-down-below, 0, a fraction of the target between 0 and 1",
        "scale-down-below, 1, a fraction of the target between 0 and 1",
        "scale-down-below, 1.5, a fraction of the target between 0 and 1",
        "scale-down-below, -0.5, a fraction of the target between 0 and 1",
        "scale-down-below, half, a fraction of the target between 0 and 1",
        "scale-down-below, NaN, a fraction of the target between 0 and 1",
        "low-rate-per-replica, 0, a positive number of requests per second",
        "low-rate-per-replica, -3, a positive number of requests per second",
        "low-rate-per-replica, 5rps, a positive number of requests per second",
        "low-rate-per-replica, Infinity, a positive number of requests per second"
    })
    void valueOutOfRangeIsRejectedByKey(String key, String value, String expectation) {
        assertThatThrownBy(() -> bind(Map.of(key, value))).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.field()).contains("scheduler.threshold." + key);
            assertThat(e.getMessage()).contains("'scheduler.threshold." + key + "' is '" + value + "'", expectation);
        });
    }

    @Test
    void recordRefusesValuesOutOfRange() {
        assertThatThrownBy(() -> new ThresholdConfig(0, 0.5, OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThresholdConfig(20, 1, OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThresholdConfig(20, 0.5, OptionalDouble.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
