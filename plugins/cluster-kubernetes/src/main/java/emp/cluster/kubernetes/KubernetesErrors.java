package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.stream.Collectors;

/**
 * Turns what the API server (or the way to it) answered into a {@link PlatformException} a person can act on. The one
 * place that decides each answer's category, so no {@link KubernetesClientException} leaves the plugin:
 *
 * <ul>
 *   <li>no answer (refused, timed out), 429 or 5xx: UNAVAILABLE, retrying later may work;
 *   <li>401 and 403: UNAVAILABLE too, since EMP's own credentials are at fault, not the request, and the message says
 *       what to check (the kubeconfig's user, the ServiceAccount's ClusterRole);
 *   <li>404: NOT_FOUND; 409: CONFLICT; 400 and 422: INVALID, with Kubernetes' own words and the fields it names;
 *   <li>anything else: INTERNAL.
 * </ul>
 */
final class KubernetesErrors {
    /** Where the ServiceAccount's permissions are written down. */
    static final String RBAC_MANIFEST = "deploy/kubernetes/rbac.yaml";

    private KubernetesErrors() {}

    /**
     * @param action what EMP was doing, to complete "while ...": {@code deploying app 'alice/songs'}
     * @param server the API server's URL
     */
    static PlatformException translate(KubernetesClientException e, String action, String server) {
        requireNonNull(e, "e is null");
        int code = e.getCode();
        String detail = detail(e);
        return switch (code) {
            case 401 ->
                new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        "EMP's Kubernetes credentials were refused (401 Unauthorized: " + detail + ") while " + action
                                + "; check the user of the kubeconfig context EMP uses, or the ServiceAccount token when it"
                                + " runs in the cluster",
                        e);
            case 403 ->
                new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        "EMP's Kubernetes credentials were refused (403 Forbidden: " + detail + ") while " + action
                                + "; check the ServiceAccount's ClusterRole (" + RBAC_MANIFEST
                                + " lists what EMP needs)",
                        e);
            case 404 ->
                new PlatformException(
                        ErrorCategory.NOT_FOUND,
                        "Kubernetes found nothing (404 Not Found: " + detail + ") while " + action
                                + "; the object may have been deleted outside EMP",
                        e);
            case 409 ->
                new PlatformException(
                        ErrorCategory.CONFLICT,
                        "Kubernetes refused a change (409 Conflict: " + detail + ") while " + action
                                + "; the object changed meanwhile, and the next attempt starts from its new state",
                        e);
            case 400, 422 ->
                new PlatformException(
                        ErrorCategory.INVALID,
                        null,
                        "Kubernetes rejected the object (" + code + " " + (code == 400 ? "Bad Request" : "Invalid")
                                + ": " + detail + ") while " + action + "; fix the value it names",
                        e);
            default -> {
                if (code <= 0) {
                    yield new PlatformException(
                            ErrorCategory.UNAVAILABLE,
                            "the Kubernetes API server at " + server + " cannot be reached (" + rootCause(e)
                                    + ") while " + action + "; check that it is running and that "
                                    + KubernetesClusterConfig.SECTION
                                    + ".kubeconfig and .context (or .in-cluster) point at it",
                            e);
                }
                if (code == 408 || code == 429 || code >= 500) {
                    yield new PlatformException(
                            ErrorCategory.UNAVAILABLE,
                            "the Kubernetes API server at " + server + " answered " + code + " (" + detail + ") while "
                                    + action + "; try again later",
                            e);
                }
                yield new PlatformException(
                        ErrorCategory.INTERNAL,
                        "the Kubernetes API server at " + server + " answered " + code + " (" + detail + ") while "
                                + action + ", which EMP does not expect; see the server log",
                        e);
            }
        };
    }

    /** Kubernetes' message and the fields its causes name, or the client's message when the server sent none. */
    static String detail(KubernetesClientException e) {
        Status status = e.getStatus();
        String message = status != null && !blank(status.getMessage())
                ? status.getMessage()
                : blank(e.getMessage()) ? "no message" : e.getMessage();
        if (status != null && status.getDetails() != null && status.getDetails().getCauses() != null) {
            String causes = status.getDetails().getCauses().stream()
                    .filter(cause -> !blank(cause.getField()) && !message.contains(cause.getField()))
                    .map(KubernetesErrors::cause)
                    .collect(Collectors.joining("; "));
            if (!causes.isEmpty()) {
                return message + " [" + causes + "]";
            }
        }
        return message;
    }

    private static String cause(StatusCause cause) {
        return cause.getField() + (blank(cause.getMessage()) ? "" : ": " + cause.getMessage());
    }

    /** The innermost cause's message, e.g. {@code java.net.ConnectException: Connection refused}. */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (blank(message) ? "" : ": " + message);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
