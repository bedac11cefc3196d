/**
 * A stand-in Apache Mesos master for tests, in the test's own JVM: {@link emp.testsupport.mesos.StandInMaster} serves
 * the Mesos 1.11 v1 scheduler HTTP API on 127.0.0.1 the way the real master answers it, with agents that run each task
 * as a real local process in a sandbox folder and serve that folder through the agent files API. Tests drive it as a
 * framework would, read what happened ({@link emp.testsupport.mesos.StandInMaster#tasks()},
 * {@link emp.testsupport.mesos.StandInMaster#calls()}, {@link emp.testsupport.mesos.StandInMaster#frames()}) and make
 * things go wrong on demand: a lost agent, a failed task, rescinded offers, a dropped subscription, an unreachable
 * master.
 *
 * <p>It answers with mesos-java's own v1 protobuf classes, in binary protobuf or in JSON with the proto field names.
 * {@code org.apache.mesos:mesos}, {@code com.google.protobuf:protobuf-java} and {@code protobuf-java-util} are optional
 * dependencies of this module: a module that uses this package declares them (test scope) itself.
 */
package emp.testsupport.mesos;
