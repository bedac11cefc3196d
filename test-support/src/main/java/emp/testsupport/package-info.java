/**
 * Real backends for tests, each in a child JVM on free ports of 127.0.0.1: {@link emp.testsupport.KafkaBroker} (a
 * single-node Kafka broker in KRaft mode) and {@link emp.testsupport.ZipkinServer} (the real Zipkin server). Both run
 * from Maven artifacts that this module's build resolves; nothing is downloaded at test time and no container is
 * needed. Use it as a test-scope dependency. {@link emp.testsupport.kubernetes} adds a mock Kubernetes API server with a
 * stand-in controller, in the test's own JVM.
 */
package emp.testsupport;
