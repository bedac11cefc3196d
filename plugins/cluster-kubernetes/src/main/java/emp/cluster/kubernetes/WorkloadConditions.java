package emp.cluster.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.List;
import java.util.Optional;

/**
 * Why a Deployment has fewer replicas than it should when no pod says so: the conditions its controller sets when it
 * cannot make pods at all. A ResourceQuota, a LimitRange or an admission webhook (Pod Security among them) that
 * refuses a pod leaves no pod to look at; the ReplicaSet's {@code ReplicaFailure} condition, which the Deployment
 * carries, is the only place that says why. {@code Progressing} false with {@code ProgressDeadlineExceeded} is a
 * rollout that gave up waiting.
 */
final class WorkloadConditions {
    private WorkloadConditions() {}

    /**
     * The problem the Deployment's conditions report, in Kubernetes' words with its reason first:
     * {@code FailedCreate: pods "web-5d9c" is forbidden: exceeded quota: ...}; empty when there is none.
     */
    static Optional<String> problem(Deployment deployment) {
        List<DeploymentCondition> conditions = deployment == null || deployment.getStatus() == null
                ? null
                : deployment.getStatus().getConditions();
        if (conditions == null) {
            return Optional.empty();
        }
        for (DeploymentCondition condition : conditions) {
            if ("ReplicaFailure".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return Optional.of(describe(condition));
            }
        }
        for (DeploymentCondition condition : conditions) {
            if ("Progressing".equals(condition.getType())
                    && "False".equals(condition.getStatus())
                    && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                return Optional.of(describe(condition));
            }
        }
        return Optional.empty();
    }

    private static String describe(DeploymentCondition condition) {
        String reason = condition.getReason() == null ? condition.getType() : condition.getReason();
        return condition.getMessage() == null || condition.getMessage().isBlank()
                ? reason
                : reason + ": " + condition.getMessage();
    }
}
