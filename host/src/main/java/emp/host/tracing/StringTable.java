package emp.host.tracing;

/**
 * One instance of each string that comes again and again in spans (span names, service names, error values), so that
 * waiting spans share them instead of each holding a copy the garbage collector must copy too. A table of
 * {@value #SLOTS} slots, each keeping the last string that hashed to it: a flood of distinct strings costs misses,
 * never memory. Thread-safe without locks (a slot is one reference, replaced whole; a race only costs a miss).
 */
final class StringTable {
    static final int SLOTS = 8192;

    private final String[] slots = new String[SLOTS];

    /** {@code text}, or an equal string handed out before; null for null. */
    String shared(String text) {
        if (text == null) {
            return null;
        }
        int hash = text.hashCode();
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String kept = slots[slot];
        if (kept != null && (kept == text || kept.equals(text))) {
            return kept;
        }
        slots[slot] = text;
        return text;
    }
}
