package emp.host.dashboard;

import emp.host.apps.AppEvent;
import emp.host.apps.AppEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which app a scheduler blamed: one it scaled up lately. A scheduler scales the app it finds to be the bottleneck
 * (tracegraph scales the callee that makes its callers slow, not the callers), so the app it last scaled up, with the
 * reason it gave, is the one it blames. Read from the app's event log, which every server shares; the platform's own
 * changes (waking an idle app) and people's are not blame.
 */
final class ScalingBlame {
    /** How long a scale-up stays blame. */
    static final Duration LASTING = Duration.ofMinutes(5);

    // As AppEvent.scaled words a change of replicas by AppEvent.scheduler(NAME).
    private static final Pattern BY_SCHEDULER = Pattern.compile(
            "^scaled \\S+ (\\d+) -> (\\d+) by " + AppEvent.scheduler("") + "[^:]+(?:: (.*))?$", Pattern.DOTALL);

    private ScalingBlame() {}

    /** @param reason why the scheduler scaled it up, in its words */
    record Blame(Instant time, String reason) {}

    /** The newest scale-up by a scheduler among {@code events} (oldest first) within {@link #LASTING} of now. */
    static Optional<Blame> of(List<AppEvent> events, Instant now) {
        for (int i = events.size() - 1; i >= 0; i--) {
            AppEvent event = events.get(i);
            if (event.time().isBefore(now.minus(LASTING))) {
                return Optional.empty();
            }
            if (!AppEventType.SCALE.wire().equals(event.type())) {
                continue;
            }
            Matcher matcher = BY_SCHEDULER.matcher(event.message());
            if (matcher.matches() && Long.parseLong(matcher.group(2)) > Long.parseLong(matcher.group(1))) {
                return Optional.of(new Blame(event.time(), matcher.group(3) == null ? "" : matcher.group(3)));
            }
        }
        return Optional.empty();
    }
}
