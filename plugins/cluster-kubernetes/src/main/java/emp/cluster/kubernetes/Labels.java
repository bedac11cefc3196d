package emp.cluster.kubernetes;

import emp.spi.AppRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The labels and annotations that mark what EMP made, and that it reads back. */
final class Labels {
    /** The app's name (its label form). */
    static final String NAME = "app.kubernetes.io/name";
    /** Who manages the object: always {@link #EMP}. Every object and informer of the plugin selects on it. */
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    static final String EMP = "emp";
    /** The app's owner (its label form), on namespaces and app objects. */
    static final String OWNER = "emp.io/owner";

    /** The owner's username exactly, which a label value may not be able to hold. */
    static final String OWNER_ANNOTATION = "emp.io/owner";
    /** The app's name exactly. */
    static final String APP_ANNOTATION = "emp.io/app";
    /** The replica count an app had when it was scaled to zero, so that starting it brings them back. */
    static final String REPLICAS_BEFORE_STOP = "emp.io/replicas-before-stop";
    /**
     * On the pod template, a digest of the app's secrets: the replicas read them from the app's Secret, so without it
     * a changed value would leave the template as it was and the running replicas with the old value.
     */
    static final String SECRETS_DIGEST = "emp.io/secrets-digest";
    /**
     * On the pod template, and so on each pod, a digest of the template as EMP made it: a pod whose digest is not its
     * workload's runs what an earlier deploy asked for.
     */
    static final String TEMPLATE_DIGEST = "emp.io/template-digest";

    private Labels() {}

    /** The labels of every object and pod of an app; also its pods' selector. */
    static Map<String, String> of(Names names) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, names.nameLabel());
        labels.put(MANAGED_BY, EMP);
        labels.put(OWNER, names.ownerLabel());
        return labels;
    }

    /** The annotations that name the app exactly. */
    static Map<String, String> annotations(Names names) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(OWNER_ANNOTATION, names.app().owner());
        annotations.put(APP_ANNOTATION, names.app().name());
        return annotations;
    }

    /** The app an object of EMP's belongs to (a workload, or a pod through its template), from its annotations. */
    static Optional<AppRef> appOf(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String owner = annotations == null ? null : annotations.get(OWNER_ANNOTATION);
        String app = annotations == null ? null : annotations.get(APP_ANNOTATION);
        return owner == null || app == null ? Optional.empty() : Optional.of(new AppRef(owner, app));
    }
}
