package emp.scheduler.tracegraph;

/**
 * What an app's own history says about it at one tick.
 *
 * @param baselineMs  its usual self time when not loaded: a low percentile of the self times observed over the
 *                    history; {@code NaN} while there is no history
 * @param knee        the requests in flight per replica beyond which its self time rises: learned from the history,
 *                    or the configured default
 * @param kneeLearned whether the knee comes from the history rather than the default
 */
record AppProfile(double baselineMs, double knee, boolean kneeLearned) {
    AppProfile {
        if (!(knee > 0)) {
            throw new IllegalArgumentException("knee is not above 0: " + knee);
        }
    }

    boolean hasBaseline() {
        return !Double.isNaN(baselineMs);
    }
}
