package emp.examples.songs;

/** What one of the five services answers; the tracing, the knobs and the HTTP plumbing are done around it. */
interface Api {
    /**
     * Answers one request. Called on a server thread, possibly many at once.
     *
     * @throws InterruptedException when the service is closing while the request waits on a dependency
     */
    Reply handle(Call call) throws InterruptedException;
}
