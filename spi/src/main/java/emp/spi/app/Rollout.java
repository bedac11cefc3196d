package emp.spi.app;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a changed app's replicas are replaced, as Kubernetes Deployments say it: each value a count ({@code "1"}) or a
 * percentage of the replicas ({@code "25%"}).
 *
 * @param maxSurge       how many replicas of the new release may run beyond the wanted count while old ones still
 *                       serve; a percentage rounds up; null means {@value #DEFAULT_MAX_SURGE}
 * @param maxUnavailable how many fewer replicas than wanted may serve during the rollout (old ones stopped before new
 *                       ones are ready); a percentage rounds down; null means {@value #DEFAULT_MAX_UNAVAILABLE}, so
 *                       that a rollout never serves with fewer replicas than wanted
 */
public record Rollout(String maxSurge, String maxUnavailable) {
    public static final String DEFAULT_MAX_SURGE = "25%";
    public static final String DEFAULT_MAX_UNAVAILABLE = "0";
    /** The rollout of a spec that says nothing of it. */
    public static final Rollout DEFAULT = new Rollout(null, null);

    private static final Pattern VALUE = Pattern.compile("(\\d{1,9})(%?)");

    public String effectiveMaxSurge() {
        return maxSurge == null ? DEFAULT_MAX_SURGE : maxSurge;
    }

    public String effectiveMaxUnavailable() {
        return maxUnavailable == null ? DEFAULT_MAX_UNAVAILABLE : maxUnavailable;
    }

    /**
     * How many new replicas may run beyond {@code replicas}; at least 1 when no replica may be unavailable, so that a
     * rollout always moves.
     */
    public int surge(int replicas) {
        int surge = count(effectiveMaxSurge(), replicas, true);
        return surge == 0 && unavailable(replicas) == 0 ? 1 : surge;
    }

    /** How many of {@code replicas} may be missing during the rollout. */
    public int unavailable(int replicas) {
        return count(effectiveMaxUnavailable(), replicas, false);
    }

    /** Whether {@code value} is a count or a percentage, as a field of a spec must be. */
    public static boolean valid(String value) {
        if (value == null) {
            return true;
        }
        Matcher matcher = VALUE.matcher(value);
        return matcher.matches() && (matcher.group(2).isEmpty() || Integer.parseInt(matcher.group(1)) <= 100);
    }

    private static int count(String value, int replicas, boolean roundUp) {
        Matcher matcher = VALUE.matcher(value);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a count or a percentage: " + value);
        }
        long number = Long.parseLong(matcher.group(1));
        if (matcher.group(2).isEmpty()) {
            return (int) Math.min(number, Integer.MAX_VALUE);
        }
        long share = number * replicas;
        return (int) (roundUp ? (share + 99) / 100 : share / 100);
    }
}
