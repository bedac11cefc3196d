package emp.cluster.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * A workload's template digest as a write left it. Until the informer has seen a write, the cache's template is the
 * one before, and would pass the pods being replaced for current; this says which template they are to be compared with.
 *
 * @param uid        the workload's uid: a workload deleted and made again is another object
 * @param generation its {@code metadata.generation} after the write, which grows with every change of its spec
 * @param digest     its template's {@link Labels#TEMPLATE_DIGEST}, or null
 */
record WrittenTemplate(String uid, long generation, String digest) {
    static Optional<WrittenTemplate> of(HasMetadata written) {
        if (written == null
                || written.getMetadata().getUid() == null
                || written.getMetadata().getGeneration() == null) {
            return Optional.empty();
        }
        return Optional.of(new WrittenTemplate(
                written.getMetadata().getUid(), written.getMetadata().getGeneration(), Workloads.templateOf(written)));
    }

    /**
     * The template digest pods must have to be current: the cached workload's, unless the cache still holds that very
     * workload as it was before the last write, when it is the written one.
     *
     * @param written the last write of this workload, or null
     */
    static String current(HasMetadata cached, WrittenTemplate written) {
        Long generation = cached.getMetadata().getGeneration();
        if (written != null
                && written.uid().equals(cached.getMetadata().getUid())
                && generation != null
                && generation < written.generation()) {
            return written.digest();
        }
        return Workloads.templateOf(cached);
    }
}
