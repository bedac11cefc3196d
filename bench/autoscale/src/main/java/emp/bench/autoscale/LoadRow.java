package emp.bench.autoscale;

/**
 * One second of the load as the generator saw it, by the second requests were meant to leave.
 *
 * @param p50Ms latency percentiles in ms (NaN when no request of that second was answered)
 */
public record LoadRow(
        int second,
        double targetRps,
        long sent,
        long completed,
        long errors,
        double p50Ms,
        double p95Ms,
        double p99Ms) {
    static LoadRow of(LoadGenerator.Second second) {
        return new LoadRow(
                second.second(),
                second.targetRps(),
                second.sent(),
                second.completed(),
                second.errors(),
                second.percentileMs(50),
                second.percentileMs(95),
                second.percentileMs(99));
    }
}
