package emp.spi.store;

/**
 * Told which entries of a watched collection changed, by whichever server of the platform changed them (see
 * {@link StateStore#watch}). It is told keys, not values: the change may be told late, more than once or after a later
 * one, so a listener reads the entry to learn what it holds now. Called on the store's own thread: return quickly.
 *
 * @since 0.4.1
 */
public interface ChangeListener {
    /** The entry under {@code key} in {@code collection} was written or deleted. */
    void changed(String collection, String key);

    /**
     * The store lost its feed (its backend went away): until {@link #reset}, changes are not told, and what the listener
     * holds may be out of date.
     */
    void cut();

    /**
     * Changes may have been missed (the feed is back after a {@link #cut}, or the store found a change it cannot name):
     * everything watched must be read again. Changes are told again from before this call.
     */
    void reset();
}
