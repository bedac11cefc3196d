package emp.host.lead;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The leader's lease, as the store holds it. Other servers judge it by whether its version changes, on their own
 * clocks, never by the time written in it, so servers whose clocks disagree still agree on who leads.
 *
 * @param server  the leading server's id
 * @param api     its control API, for people and for the other servers' health reports
 * @param term    the term it was elected in: the version of the term entry, its fencing token
 * @param renewed when it last renewed the lease, by its own clock; for people only
 */
record Lease(String server, String api, long term, Instant renewed) {
    Lease {
        requireNonNull(server, "server is null");
        requireNonNull(api, "api is null");
        requireNonNull(renewed, "renewed is null");
    }
}
