package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an object so that it ends up as given whether it existed or not: a re-deploy, or a server that died halfway
 * through a deploy and tries again, converges on the same objects instead of failing on "already exists".
 *
 * <p>A real API server gets a server-side apply (a PATCH of type {@code application/apply-patch+yaml}) under the field
 * manager {@value #FIELD_MANAGER}, forcing conflicts: EMP owns the fields it writes, and fields others own (a
 * LoadBalancer's node ports, an admission controller's defaults) are left alone. Only when the server answers that it
 * does not implement apply does the applier fall back to create, or replace what exists:
 *
 * <ul>
 *   <li>415 Unsupported Media Type: the server does not know the apply patch type at all. Remembered, so later
 *       writes go straight to create-or-replace;
 *   <li>404 or 405 with no status of the server's own: nothing handled the PATCH (an API server always explains its
 *       404 with a Status naming the object). The object is created or replaced this once.
 * </ul>
 *
 * The fabric8 mock server in CRUD mode answers 404 to an apply of an object that does not exist and 415 to one that
 * does, so tests run the fallback after the apply was tried; every other answer goes to the caller.
 */
final class Applier {
    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    /** The field manager of everything EMP writes. */
    static final String FIELD_MANAGER = "emp";

    private static final int REPLACE_ATTEMPTS = 3;

    /** Which way an object was written. */
    enum Path {
        SERVER_SIDE_APPLY,
        CREATE_OR_REPLACE
    }

    private final KubernetesClient client;
    private final AtomicBoolean applyUnsupported = new AtomicBoolean();
    private volatile Path lastPath;

    Applier(KubernetesClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    /**
     * Makes the object on the server what {@code object} says, creating it when absent.
     *
     * @return the object as the server now holds it
     * @throws KubernetesClientException when the server refuses the write
     */
    <T extends HasMetadata> T apply(T object) {
        requireNonNull(object, "object is null");
        if (!applyUnsupported.get()) {
            try {
                T applied = client.resource(object)
                        .fieldManager(FIELD_MANAGER)
                        .forceConflicts()
                        .serverSideApply();
                lastPath = Path.SERVER_SIDE_APPLY;
                return applied;
            } catch (KubernetesClientException e) {
                if (!applyNotImplemented(e)) {
                    throw e;
                }
                if (e.getCode() == 415 && applyUnsupported.compareAndSet(false, true)) {
                    log.warn(
                            "the Kubernetes API server does not implement server-side apply ({}); EMP creates or"
                                    + " replaces its objects instead",
                            KubernetesErrors.detail(e));
                }
            }
        }
        T written = createOrReplace(object);
        lastPath = Path.CREATE_OR_REPLACE;
        return written;
    }

    /**
     * Creates the object, or replaces the one that exists with it. A replace is made against the version just read,
     * so one that lost a race with another writer (409) reads again and tries again, a few times.
     */
    private <T extends HasMetadata> T createOrReplace(T object) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resource(object).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            try {
                // Without a resourceVersion of its own, the object replaces the version the client reads first.
                return client.resource(object).update();
            } catch (KubernetesClientException e) {
                boolean raced = e.getCode() == 409 || e.getCode() == 404;
                if (!raced || attempt == REPLACE_ATTEMPTS) {
                    throw e;
                }
                log.debug("replacing {} '{}' raced another writer; trying again", object.getKind(), name(object));
            }
        }
    }

    private static String name(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return (namespace == null ? "" : namespace + "/") + object.getMetadata().getName();
    }

    /** Which way the last object was written; null before the first. */
    Path lastPath() {
        return lastPath;
    }

    /** Whether the server answered that it does not implement server-side apply. */
    boolean applyUnsupported() {
        return applyUnsupported.get();
    }

    static boolean applyNotImplemented(KubernetesClientException e) {
        int code = e.getCode();
        if (code == 415) {
            return true;
        }
        return (code == 404 || code == 405) && !serverExplained(e);
    }

    /** Whether the server sent a Status of its own that says what it did not find. */
    private static boolean serverExplained(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getDetails() != null;
    }
}
