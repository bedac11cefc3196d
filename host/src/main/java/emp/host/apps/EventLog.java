package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The append-only, bounded event log of each app, kept in the store. */
public final class EventLog {
    private final StateStore store;
    private final Clock clock;
    private final int kept;

    public EventLog(StateStore store, Clock clock, int kept) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.kept = kept;
    }

    public void append(String appId, AppEventType type, String message) {
        store.append(logName(appId), JsonCodec.write(new StoredEvent(clock.instant(), type.wire(), message)), kept);
    }

    /** The newest {@code limit} events, oldest first. */
    public List<AppEvent> tail(String appId, int limit) {
        return store.tail(logName(appId), limit).stream().map(EventLog::decode).toList();
    }

    /** Up to {@code limit} events with a sequence number above {@code sequence}, oldest first: a page of the log. */
    public List<AppEvent> after(String appId, long sequence, int limit) {
        return store.read(logName(appId), sequence, limit).stream()
                .map(EventLog::decode)
                .toList();
    }

    public void delete(String appId) {
        store.deleteLog(logName(appId));
    }

    private static AppEvent decode(LogRecord record) {
        StoredEvent event = JsonCodec.readStored(record.value(), StoredEvent.class);
        return new AppEvent(record.sequence(), event.time(), event.type(), event.message());
    }

    private static String logName(String appId) {
        return "events/" + appId;
    }

    record StoredEvent(Instant time, String type, String message) {}
}
