package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Kubernetes names of one app: its user's namespace, the name its objects share, and the label values that mark
 * them. Names are DNS-1123 labels derived from EMP's names; a name that had to be changed, or cut to fit, ends in a
 * short hash of the original. Namespaces are named by {@link #namespace}, which no two usernames share.
 *
 * @param app        the app
 * @param namespace  the user's namespace, e.g. {@code emp-alice}
 * @param object     the name of the app's Deployment or StatefulSet, Service and Ingress, e.g. {@code songs}; its
 *                   Secret adds {@value #SECRET_SUFFIX}
 * @param ownerLabel the value of {@link Labels#OWNER} on the namespace and the app's objects
 */
record Names(AppRef app, String namespace, String object, String ownerLabel) {
    /** The longest name of a Kubernetes label value, namespace or Service. */
    static final int MAX_LABEL = 63;
    /**
     * The longest object name: a StatefulSet's pods add {@code -<ordinal>} and its revisions {@code -<10 characters>},
     * which must still fit in a label.
     */
    static final int MAX_OBJECT = 52;

    /** What the name of an app's Secret adds to {@link #object}; the result is far below a Secret name's 253. */
    static final String SECRET_SUFFIX = "-secrets";

    private static final int HASH_CHARS = 6;
    /** What {@link #namespace} keeps readable: a letter first, then letters, digits and dashes. */
    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9-]*");

    Names {
        requireNonNull(app, "app is null");
        requireNonNull(namespace, "namespace is null");
        requireNonNull(object, "object is null");
        requireNonNull(ownerLabel, "ownerLabel is null");
    }

    static Names of(String namespacePrefix, AppRef app) {
        return new Names(app, namespace(namespacePrefix, app.owner()), objectName(app.name()), label(app.owner()));
    }

    /**
     * The namespace of a user's apps: the prefix and the username, as a DNS-1123 label, and never the same for two
     * usernames. A namespace is where a user's apps live and what EMP lets each user reach, so two users sharing one
     * would share their apps; a lossy mapping (such as {@link #dnsLabel}'s, where {@code bob-} and {@code bob-0be5c7}
     * both gave {@code emp-bob-0be5c7}) is not good enough.
     *
     * <p>The part after the prefix decodes back to exactly one username, so the mapping is injective for a given
     * prefix:
     *
     * <ul>
     *   <li>a username that is a DNS label already ({@code [a-z][a-z0-9-]*}, not ending in {@code -}) is kept as it
     *       is: {@code emp-alice}. It starts with a letter;
     *   <li>one that ends in {@code k} dashes loses them and starts with {@code k}, a number without a leading zero:
     *       {@code bob-} gives {@code emp-1bob}, {@code bob--} gives {@code emp-2bob}. Since EMP's usernames start
     *       with a letter, the digits end where the username begins;
     *   <li>anything else (not a username EMP accepts) starts with {@code 0} and ends in a hash of the original, so it
     *       is never the name of one of the above.
     * </ul>
     *
     * With the longest prefix ({@value KubernetesClusterConfig#MAX_PREFIX_LENGTH} characters) and the longest
     * username (31), the result fits in {@value #MAX_LABEL} characters.
     */
    static String namespace(String prefix, String owner) {
        requireNonNull(prefix, "prefix is null");
        requireNonNull(owner, "owner is null");
        if (USERNAME.matcher(owner).matches()) {
            int dashes = 0;
            while (owner.charAt(owner.length() - 1 - dashes) == '-') {
                dashes++;
            }
            String kept = owner.substring(0, owner.length() - dashes);
            String name = prefix + (dashes == 0 ? "" : Integer.toString(dashes)) + kept;
            if (name.length() <= MAX_LABEL) {
                return name;
            }
        }
        String suffix = "-" + sha256(owner, HASH_CHARS);
        String head = prefix + "0-" + clean(owner);
        return trimDashes(head.substring(0, Math.min(head.length(), MAX_LABEL - suffix.length()))) + suffix;
    }

    /** The name an app's objects share; it starts with a letter, as a Service's name must. */
    static String objectName(String app) {
        return dnsLabel(app, MAX_OBJECT, true);
    }

    /** A label value standing for {@code raw}. */
    static String label(String raw) {
        return dnsLabel(raw, MAX_LABEL, false);
    }

    /** The name of the app's Secret, which holds its secrets: {@code songs-secrets}. */
    String secret() {
        return object + SECRET_SUFFIX;
    }

    /** The value of {@link Labels#NAME} on the app's objects and pods. */
    String nameLabel() {
        return label(app.name());
    }

    /** The Ingress path of the app, the same shape as the local gateway's: {@code /{user}/{app}}. */
    String ingressPath() {
        return "/" + ownerLabel + "/" + nameLabel();
    }

    /**
     * {@code raw} as a DNS-1123 label of at most {@code max} characters: lower case, each character outside
     * {@code [a-z0-9-]} replaced by {@code -}, runs of {@code -} joined, no {@code -} at either end. When that changed
     * anything, or the result is too long, it is cut and ends in {@code -} and a hash of {@code raw}.
     *
     * @param letterFirst whether the result must start with a letter (DNS-1035, as Service names)
     */
    static String dnsLabel(String raw, int max, boolean letterFirst) {
        requireNonNull(raw, "raw is null");
        StringBuilder clean = new StringBuilder(clean(raw));
        if (clean.length() == 0 || (letterFirst && !Character.isLetter(clean.charAt(0)))) {
            clean.insert(0, clean.length() == 0 ? "x" : "x-");
        }
        String result = clean.toString();
        if (result.equals(raw) && result.length() <= max) {
            return result;
        }
        String suffix = "-" + sha256(raw, HASH_CHARS);
        String head = result.substring(0, Math.min(result.length(), max - suffix.length()));
        return trimDashes(head) + suffix;
    }

    /**
     * {@code raw} in lower case, each character outside {@code [a-z0-9-]} replaced by {@code -}, runs of {@code -}
     * joined, no {@code -} at either end; possibly empty.
     */
    private static String clean(String raw) {
        StringBuilder clean = new StringBuilder(raw.length());
        for (char c : raw.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            char next = valid ? c : '-';
            if (next == '-' && (clean.length() == 0 || clean.charAt(clean.length() - 1) == '-')) {
                continue;
            }
            clean.append(next);
        }
        return trimDashes(clean.toString());
    }

    private static String trimDashes(String text) {
        String trimmed = text;
        while (trimmed.endsWith("-")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /** The first {@code chars} hex digits of the SHA-256 of {@code text}: the hash of names, and of pod templates. */
    static String sha256(String text, int chars) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, chars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
