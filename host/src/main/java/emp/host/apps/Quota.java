package emp.host.apps;

import emp.spi.PlatformException;

/**
 * What one user may hold at once, set by the operator ({@code quota.apps-per-user}, {@code quota.replicas-per-user}):
 * apps, and replicas asked for over all of them (a scheduler's decisions count too). A request that would go past a
 * bound is refused whole and says which bound and what to do.
 *
 * @param apps     the most apps one user may have
 * @param replicas the most replicas one user's apps may ask for together
 */
public record Quota(int apps, int replicas) {
    /** The defaults: room for a few systems of apps on one machine. */
    public static final Quota DEFAULT = new Quota(50, 100);

    public Quota {
        if (apps < 1 || replicas < 1) {
            throw new IllegalArgumentException("a quota of " + apps + " apps and " + replicas + " replicas");
        }
    }

    /** @throws PlatformException of category CONFLICT when {@code owner}'s apps would go past {@link #apps} */
    void requireApps(String owner, int have, int adding) {
        if ((long) have + adding > apps) {
            throw PlatformException.conflict("user '" + owner + "' has " + have + " app" + (have == 1 ? "" : "s")
                    + (adding > 0 ? " and asks for " + adding + " more" : "") + "; the quota is " + apps
                    + " per user (quota.apps-per-user, set by the operator); remove an app first");
        }
    }

    /** @throws PlatformException of category CONFLICT when {@code owner}'s replicas would go past {@link #replicas} */
    void requireReplicas(String owner, int others, int asked) {
        if ((long) others + asked > this.replicas) {
            throw PlatformException.conflict("user '" + owner + "' would have " + ((long) others + asked)
                    + " replicas over all their apps; the quota is " + this.replicas
                    + " per user (quota.replicas-per-user, set by the operator); ask for fewer, or scale another app"
                    + " down first");
        }
    }
}
