package emp.host.apps;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterManager;
import java.net.URI;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An app as the API shows it: its record with what the cluster runs of it now (or, for an app the leading server's
 * cluster runs and this one's does not, what the leader last recorded), its URL and, when asked, its logs' disk use.
 */
final class AppViews {
    private static final Logger log = LoggerFactory.getLogger(AppViews.class);

    private final ClusterManager cluster;
    private final ObservedStatuses observed;

    AppViews(ClusterManager cluster, ObservedStatuses observed) {
        this.cluster = cluster;
        this.observed = observed;
    }

    /** @param withLogBytes whether to ask the cluster the disk use of its logs, a file system call per replica */
    AppView of(AppRecord record, boolean withLogBytes) {
        AppStatus status;
        try {
            status = cluster.status(record.ref());
        } catch (PlatformException e) {
            if (e.category() != ErrorCategory.UNAVAILABLE) {
                throw e;
            }
            log.warn("cluster status of '{}' unavailable: {}", record.ref(), e.getMessage());
            status = AppStatus.absent(record.ref());
        }
        if (!status.deployed()) {
            // Run by the leading server's cluster, not this one's: as the leader last recorded it.
            status = observed.read(record.id()).orElse(status);
        }
        String url = cluster.endpoint(record.ref()).map(URI::toString).orElse(null);
        OptionalLong logBytes = withLogBytes ? cluster.logBytes(record.ref()) : OptionalLong.empty();
        return AppView.of(record, status, url, logBytes.isPresent() ? logBytes.getAsLong() : null);
    }
}
