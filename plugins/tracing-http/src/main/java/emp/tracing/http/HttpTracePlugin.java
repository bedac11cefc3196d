package emp.tracing.http;

/** The PF4J plugin of the embedded HTTP trace collector; all it brings is {@link HttpTraceSourceFactory}. */
public final class HttpTracePlugin extends org.pf4j.Plugin {}
