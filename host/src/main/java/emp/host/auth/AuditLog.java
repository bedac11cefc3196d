package emp.host.auth;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's security events, kept in the state store (so every server of the control plane writes and reads
 * the same log), the newest {@code kept}: accounts made, logins that worked or failed or were slowed down, logouts,
 * users disabled and enabled, invites issued, operator actions. Each also goes to the server log, under the logger
 * {@code emp.audit}. Operators read it ({@code GET /v1/audit}). Thread-safe.
 */
public final class AuditLog {
    static final String LOG = "audit";
    private static final Logger AUDIT = LoggerFactory.getLogger("emp.audit");

    private final StateStore store;
    private final Clock clock;
    private final int kept;

    public AuditLog(StateStore store, Clock clock, int kept) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.kept = kept;
    }

    /**
     * @param type    what happened: {@code signup}, {@code login}, {@code login-failed}, {@code login-throttled},
     *                {@code logout}, {@code disable}, {@code enable}, {@code invite}, {@code signup-refused}
     * @param actor   who did it (a username), or null when nobody logged in did
     * @param address the client's address, or null when not known
     */
    public void record(String type, String actor, String address, String message) {
        AUDIT.info("{} actor={} address={}: {}", type, actor, address, message);
        store.append(LOG, JsonCodec.write(new Stored(clock.instant(), type, actor, address, message)), kept);
    }

    /** The newest {@code limit} events, oldest first. */
    public List<AuditEvent> tail(int limit) {
        return store.tail(LOG, limit).stream().map(AuditLog::decode).toList();
    }

    /** Up to {@code limit} events with a sequence number above {@code sequence}, oldest first: a page of the log. */
    public List<AuditEvent> after(long sequence, int limit) {
        return store.read(LOG, sequence, limit).stream().map(AuditLog::decode).toList();
    }

    private static AuditEvent decode(LogRecord record) {
        Stored event = JsonCodec.readStored(record.value(), Stored.class);
        return new AuditEvent(
                record.sequence(), event.time(), event.type(), event.actor(), event.address(), event.message());
    }

    /** One line of the audit log, as the API shows it. */
    public record AuditEvent(long seq, Instant time, String type, String actor, String address, String message) {}

    record Stored(Instant time, String type, String actor, String address, String message) {}
}
