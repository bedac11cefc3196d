package emp.host.plugin;

/**
 * An extension point whose extension this server replaces while it runs (the scheduler, the trace source): what the
 * point serves keeps being served through a swap, by the extension before until the next one has started.
 * Implementations make the extension of a name themselves, from the plugins loaded now.
 */
public interface HotSwap {
    /**
     * Starts the extension called {@code name} ({@code none}: no extension) and makes it the active one; the one before
     * is closed once nothing calls it any more.
     *
     * @throws RuntimeException whatever making or starting it threw; the one before then stays active
     */
    void use(String name);

    /**
     * Closes the active extension so that its plugin can be unloaded; until {@link #resume} the point holds what it
     * serves (the scaling loop decides nothing, spans wait to be handed on). Called by one thread, which then calls
     * {@link #resume}.
     */
    void pause();

    /**
     * Starts {@code name} after {@link #pause}, from the plugins loaded now; should it not start, the point goes on with
     * none, and what it threw is thrown.
     */
    void resume(String name);
}
