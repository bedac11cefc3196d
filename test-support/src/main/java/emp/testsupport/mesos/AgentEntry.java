package emp.testsupport.mesos;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A registered agent: its resources (total and in use), its folder, its HTTP server and the latest run of each
 * executor, which the files API serves as {@code runs/latest}. Guarded by the master's lock.
 */
final class AgentEntry {
    final String id;
    final ResourceSet total;
    final Path dir;
    final Map<String, String> latestRuns = new LinkedHashMap<>();
    ResourceSet used = ResourceSet.EMPTY;
    LoopbackHttpServer server;
    int port;

    AgentEntry(String id, ResourceSet total, Path dir) {
        this.id = id;
        this.total = total;
        this.dir = dir;
    }
}
