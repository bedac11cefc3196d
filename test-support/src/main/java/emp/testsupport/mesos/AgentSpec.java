package emp.testsupport.mesos;

import static java.util.Objects.requireNonNull;

/** An agent as a test asks for it: its id, its cpus and memory (MB) and its range of ports. */
record AgentSpec(String id, double cpus, double memMb, int portsBegin, int portsEnd) {
    AgentSpec {
        requireNonNull(id, "agentId is null");
        if (id.isEmpty() || id.contains("/") || id.contains("\\")) {
            throw new IllegalArgumentException(
                    "agent id '" + id + "' is not usable; give a non-empty id without slashes");
        }
        if (!(cpus >= 0) || !(memMb >= 0)) {
            throw new IllegalArgumentException(
                    "agent '" + id + "' has negative resources (cpus " + cpus + ", mem " + memMb + ")");
        }
        if (portsBegin < 0 || portsEnd > 65_535 || portsBegin > portsEnd + 1) {
            throw new IllegalArgumentException("agent '" + id + "' has an invalid port range " + portsBegin + "-"
                    + portsEnd + "; give begin <= end within 0..65535");
        }
    }
}
