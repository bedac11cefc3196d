package emp.host.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.apps.AppEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingBlameTest {
    private static final Instant NOW = Instant.parse("2026-12-08T01:00:00Z");

    @Test
    void theNewestScaleUpByASchedulerIsTheBlameWithItsReason() {
        List<AppEvent> events = List.of(
                event(1, 600, "deploy", "deployed back"),
                event(
                        2,
                        120,
                        "scale",
                        AppEvent.scaled(
                                "back", 1, 3, AppEvent.scheduler("tracegraph"), "p95 240 ms over target 200 ms")),
                event(3, 60, "ready", "replica r3 is ready"));
        assertThat(ScalingBlame.of(events, NOW)).hasValueSatisfying(blame -> {
            assertThat(blame.reason()).isEqualTo("p95 240 ms over target 200 ms");
            assertThat(blame.time()).isEqualTo(NOW.minusSeconds(120));
        });
    }

    @Test
    void peopleThePlatformScaleDownsAndOldDecisionsAreNoBlame() {
        assertThat(ScalingBlame.of(
                        List.of(event(1, 30, "scale", AppEvent.scaled("back", 1, 4, "alice", "load test"))), NOW))
                .isEmpty();
        assertThat(ScalingBlame.of(
                        List.of(event(
                                1, 30, "scale", AppEvent.scaled("back", 0, 1, "the platform", "a request waits"))),
                        NOW))
                .isEmpty();
        assertThat(ScalingBlame.of(
                        List.of(event(
                                1,
                                30,
                                "scale",
                                AppEvent.scaled("back", 4, 2, AppEvent.scheduler("tracegraph"), "idle"))),
                        NOW))
                .isEmpty();
        assertThat(ScalingBlame.of(
                        List.of(event(
                                1, 301, "scale", AppEvent.scaled("back", 1, 2, AppEvent.scheduler("threshold"), null))),
                        NOW))
                .as("older than five minutes")
                .isEmpty();
        // A scale-down after the scale-up does not hide it; the newest scale-up counts.
        assertThat(ScalingBlame.of(
                        List.of(
                                event(
                                        1,
                                        90,
                                        "scale",
                                        AppEvent.scaled("back", 1, 2, AppEvent.scheduler("threshold"), null)),
                                event(
                                        2,
                                        30,
                                        "scale",
                                        AppEvent.scaled("back", 2, 1, AppEvent.scheduler("threshold"), "quiet"))),
                        NOW))
                .hasValueSatisfying(blame -> assertThat(blame.reason()).isEmpty());
    }

    private static AppEvent event(long seq, long secondsAgo, String type, String message) {
        return new AppEvent(seq, NOW.minusSeconds(secondsAgo), type, message);
    }
}
