package emp.tck.cluster;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;

/**
 * Something a cluster manager declares it cannot run: {@link emp.spi.cluster.ClusterManager#validate} must refuse
 * {@code spec} with a {@link emp.spi.PlatformException} of category UNSUPPORTED naming {@code field}.
 *
 * @param spec  a spec the backend cannot run
 * @param field the spec field the refusal names, in the spec's own spelling (e.g. {@code command})
 */
public record UnsupportedSpec(AppSpec spec, String field) {
    public UnsupportedSpec {
        requireNonNull(spec, "spec is null");
        requireNonNull(field, "field is null");
    }
}
