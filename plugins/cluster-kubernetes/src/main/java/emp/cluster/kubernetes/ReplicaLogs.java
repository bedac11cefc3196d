package emp.cluster.kubernetes;

import emp.spi.PlatformException;
import emp.spi.cluster.LogLine;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last lines of each replica's container, read from the API server on demand: logs are never cached, and a replica
 * whose container has not started yet, or whose pod went meanwhile, has none.
 */
final class ReplicaLogs {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLogs.class);

    private ReplicaLogs() {}

    /**
     * The last {@code tail} lines of each of the app's replicas, in the order of their names.
     *
     * @throws PlatformException of category NOT_FOUND when the app is not deployed
     */
    static List<LogLine> tail(ClusterApi api, ClusterCache cache, Names names, int tail) {
        if (cache.workload(names) == null) {
            throw PlatformException.notFound("app '" + names.app()
                    + "' is not deployed on the Kubernetes cluster, so it has no logs; check the app's name");
        }
        List<LogLine> lines = new ArrayList<>();
        if (tail == 0) {
            return lines;
        }
        List<String> pods = cache.pods(names).stream()
                .map(pod -> pod.getMetadata().getName())
                .sorted()
                .toList();
        for (String pod : pods) {
            String text;
            try {
                text = ClusterApi.withPluginLoader(() -> api.client()
                        .pods()
                        .inNamespace(names.namespace())
                        .withName(pod)
                        .inContainer(AppObjects.CONTAINER)
                        .withReadyWaitTimeout(0)
                        .tailingLines(tail)
                        .getLog());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 400 || e.getCode() == 404) {
                    // 400: the container has not started (ContainerCreating); 404: the pod went meanwhile.
                    log.debug("no log for replica {} of app '{}': {}", pod, names.app(), KubernetesErrors.detail(e));
                    continue;
                }
                throw KubernetesErrors.translate(
                        e, "reading the log of replica " + pod + " of app '" + names.app() + "'", api.server());
            }
            if (text == null || text.isEmpty()) {
                continue;
            }
            for (String line : text.split("\r?\n", -1)) {
                lines.add(new LogLine(pod, line));
            }
            if (lines.get(lines.size() - 1).line().isEmpty()) {
                lines.remove(lines.size() - 1);
            }
        }
        return lines;
    }
}
