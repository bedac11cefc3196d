package emp.scheduler.tracegraph;

/** The PF4J plugin of the trace-graph scheduler; its one extension is {@link TraceGraphSchedulerFactory}. */
public final class TraceGraphSchedulerPlugin extends org.pf4j.Plugin {}
