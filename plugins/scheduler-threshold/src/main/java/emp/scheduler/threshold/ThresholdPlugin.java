package emp.scheduler.threshold;

/** The PF4J plugin of the threshold scheduler; all it brings is {@link ThresholdSchedulerFactory}. */
public final class ThresholdPlugin extends org.pf4j.Plugin {}
