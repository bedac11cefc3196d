package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an object in the cluster is the one EMP made for an app, before EMP changes or deletes it. EMP shares the
 * cluster with whatever else runs there, and its names can be guessed: without this check, an app named like someone's
 * Deployment would overwrite it, and removing the app would delete it. As Kubernetes' sample-controller does with its
 * owner references, an object that is not EMP's is left alone and the operation fails, naming the object.
 *
 * <p>An object is the app's when it carries {@link Labels#MANAGED_BY} {@value Labels#EMP}, {@link Labels#OWNER} of the
 * app's owner, and the annotations that name the owner and the app exactly (label values may be shortened; the
 * annotations are not). A namespace, and its NetworkPolicy, are the user's when they carry the same labels and the
 * owner's annotation.
 */
final class Ownership {
    private Ownership() {}

    /**
     * @param live  the object as the cluster holds it now; null when there is none, which EMP may create
     * @param doing what EMP was about to do, to complete "... while ...": {@code deploying app 'alice/songs'}
     * @throws PlatformException of category CONFLICT when the object exists and is not the app's (or user's)
     */
    static void require(HasMetadata live, Names names, String doing) {
        requireNonNull(names, "names is null");
        requireNonNull(doing, "doing is null");
        if (live == null) {
            return;
        }
        problem(live, names).ifPresent(problem -> {
            throw PlatformException.conflict(live.getKind() + " '" + describe(live) + "' " + problem
                    + ", so EMP leaves it alone and stops " + doing + "; delete or rename that "
                    + live.getKind() + " if it is not needed, or give the app another name");
        });
    }

    /** Whether the object is the app's (or, a namespace, the user's). */
    static boolean owns(HasMetadata live, Names names) {
        return problem(live, names).isEmpty();
    }

    private static Optional<String> problem(HasMetadata live, Names names) {
        ObjectMeta metadata = live.getMetadata();
        Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        Map<String, String> annotations = metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
        if (!Labels.EMP.equals(labels.get(Labels.MANAGED_BY))) {
            return Optional.of(
                    "exists but was not made by EMP (it has no label " + Labels.MANAGED_BY + "=" + Labels.EMP + ")");
        }
        String owner = annotations.get(Labels.OWNER_ANNOTATION);
        if (!names.ownerLabel().equals(labels.get(Labels.OWNER))
                || !names.app().owner().equals(owner)) {
            return Optional.of("belongs to " + (owner == null ? "no user" : "user '" + owner + "'") + ", not to '"
                    + names.app().owner() + "'");
        }
        if (live instanceof Namespace || live instanceof NetworkPolicy) {
            return Optional.empty();
        }
        String app = annotations.get(Labels.APP_ANNOTATION);
        if (!names.app().name().equals(app)) {
            return Optional.of("belongs to " + (app == null ? "no app" : "app '" + app + "'") + ", not to '"
                    + names.app().name() + "'");
        }
        return Optional.empty();
    }

    private static String describe(HasMetadata live) {
        String namespace = live.getMetadata().getNamespace();
        return (namespace == null ? "" : namespace + "/") + live.getMetadata().getName();
    }
}
