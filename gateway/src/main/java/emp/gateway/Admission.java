package emp.gateway;

/** What an {@link AppQueue} does with a request it is given: a replica now, a place in line, or a refusal. */
sealed interface Admission {
    /**
     * Go to {@code backend} now; its slot is taken for the request.
     *
     * @param alongside the requests the replica has besides this one
     */
    record Admitted(Backend backend, int alongside) implements Admission {}

    /** The request waits; the queue calls its {@link AppQueue.Waiter} when a replica is free or it is refused. */
    record Queued() implements Admission {}

    /**
     * The gateway answers 503 with {@code Retry-After}.
     *
     * @param reason            what to tell the client, after the app's name: what is wrong and what to do
     * @param why               the same in a few words, for the gateway's span
     * @param retryAfterSeconds what {@code Retry-After} says, or 0 for no such header
     */
    record Refused(String reason, String why, int retryAfterSeconds) implements Admission {}

    Queued QUEUED = new Queued();
}
