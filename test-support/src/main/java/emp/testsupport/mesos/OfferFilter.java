package emp.testsupport.mesos;

/**
 * A framework's refusal of an agent's resources, from a DECLINE or the rest of an ACCEPT: the allocator offers no more
 * than these resources of the agent to the framework until {@code expiresAt}, a {@link System#nanoTime} value.
 */
record OfferFilter(String agentId, ResourceSet resources, long expiresAt) {}
