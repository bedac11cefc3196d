/**
 * A Kubernetes cluster for tests, in the test's own JVM: {@link emp.testsupport.kubernetes.MockCluster} (the fabric8
 * mock API server on 127.0.0.1, storing objects and serving watches, plus pods' logs) and
 * {@link emp.testsupport.kubernetes.StandInController} (the controllers, kubelets and cloud that the mock lacks: it
 * turns Deployments and StatefulSets into pods that become ready, or crash-loop, and gives Services addresses).
 *
 * <p>The fabric8 artifacts are optional dependencies of this module: a module that uses this package declares
 * {@code io.fabric8:kubernetes-server-mock}, {@code kubernetes-client} and {@code kubernetes-httpclient-jdk} (test
 * scope) itself.
 */
package emp.testsupport.kubernetes;
