package emp.bench.autoscale;

/** A line of an app's event log, placed in the run's seconds. */
public record ScaleEvent(int second, String app, String type, String message) {}
