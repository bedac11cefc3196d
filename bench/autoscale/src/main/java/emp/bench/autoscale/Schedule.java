package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

/**
 * The request rate of an open-loop load over time, in seconds since the start of the measured part of a run
 * (negative during the warm-up, when the rate is always the base rate).
 *
 * @param kind         the shape
 * @param baseRps      the rate before (and, for a spike, after) the change
 * @param factor       how many times the base rate the load reaches: during a step's hold, at a spike's top, at a
 *                     wave's crest
 * @param changeAt     when the step or the spike starts, or where the wave begins to rise
 * @param changeLength how long a step holds or a spike lasts before the load drops back to the base rate (0: a step
 *                     that holds to the end), or a wave's period
 */
public record Schedule(Kind kind, double baseRps, double factor, double changeAt, double changeLength) {
    /** The shapes of load the generator offers. */
    public enum Kind {
        /** The base rate throughout. */
        STEADY,
        /** The base rate, {@code factor} times it from {@code changeAt} for {@code changeLength} seconds (the hold; 0:
         * to the end), then the base rate again. */
        STEP,
        /** {@code factor} times the base rate from {@code changeAt} for {@code changeLength} seconds. */
        SPIKE,
        /** From {@code changeAt}, a slow cosine between the base rate and {@code factor} times it, of period
         * {@code changeLength}. */
        WAVE
    }

    public Schedule {
        requireNonNull(kind, "kind is null");
        if (!(baseRps > 0) || !(factor > 0) || changeAt < 0 || changeLength < 0) {
            throw new IllegalArgumentException("a schedule needs a positive base rate and factor, and a change time"
                    + " and length of 0 or more: " + baseRps + ", " + factor + ", " + changeAt + ", " + changeLength);
        }
    }

    /** The rate in requests per second at {@code second}. */
    public double rateAt(double second) {
        if (second < changeAt) {
            return baseRps;
        }
        return switch (kind) {
            case STEADY -> baseRps;
            case STEP -> changeLength == 0 || second < changeAt + changeLength ? baseRps * factor : baseRps;
            case SPIKE -> second < changeAt + changeLength ? baseRps * factor : baseRps;
            case WAVE ->
                baseRps * (1 + (factor - 1) * (1 - Math.cos(2 * Math.PI * (second - changeAt) / changeLength)) / 2);
        };
    }

    /**
     * When the load drops back to the base rate after a step's hold or a spike, or NaN when it does not (a steady load,
     * a wave, a step that holds to the end).
     */
    public double dropAt() {
        return switch (kind) {
            case STEP, SPIKE -> changeLength > 0 ? changeAt + changeLength : Double.NaN;
            case STEADY, WAVE -> Double.NaN;
        };
    }

    /** What the schedule does, in words, for tables. */
    public String describe() {
        return switch (kind) {
            case STEADY -> String.format("steady %.0f rps", baseRps);
            case STEP ->
                changeLength == 0
                        ? String.format("%.0f rps, then %.0f rps from t=%.0f s", baseRps, baseRps * factor, changeAt)
                        : String.format(
                                "%.0f rps, %.0f rps from t=%.0f s to t=%.0f s, then %.0f rps",
                                baseRps, baseRps * factor, changeAt, changeAt + changeLength, baseRps);
            case SPIKE ->
                String.format(
                        "%.0f rps, %.0f rps for %.0f s from t=%.0f s",
                        baseRps, baseRps * factor, changeLength, changeAt);
            case WAVE ->
                String.format(
                        "%.0f to %.0f rps, period %.0f s, from t=%.0f s",
                        baseRps, baseRps * factor, changeLength, changeAt);
        };
    }
}
