package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The Kubernetes names of one app: its user's namespace, the name its objects share, and the label values that mark
 * them. Names are DNS-1123 labels derived from EMP's names; a name that had to be changed, or cut to fit, ends in a
 * short hash of the original, so two different originals never share a result.
 *
 * @param app        the app
 * @param namespace  the user's namespace, e.g. {@code emp-alice}
 * @param object     the name of the app's Deployment or StatefulSet, Service and Ingress, e.g. {@code songs}
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

    private static final int HASH_CHARS = 6;

    Names {
        requireNonNull(app, "app is null");
        requireNonNull(namespace, "namespace is null");
        requireNonNull(object, "object is null");
        requireNonNull(ownerLabel, "ownerLabel is null");
    }

    static Names of(String namespacePrefix, AppRef app) {
        return new Names(app, namespace(namespacePrefix, app.owner()), objectName(app.name()), label(app.owner()));
    }

    /** The namespace of a user's apps: the prefix and the username, as a DNS-1123 label. */
    static String namespace(String prefix, String owner) {
        return dnsLabel(prefix + owner, MAX_LABEL, false);
    }

    /** The name an app's objects share; it starts with a letter, as a Service's name must. */
    static String objectName(String app) {
        return dnsLabel(app, MAX_OBJECT, true);
    }

    /** A label value standing for {@code raw}. */
    static String label(String raw) {
        return dnsLabel(raw, MAX_LABEL, false);
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
        StringBuilder clean = new StringBuilder(raw.length());
        for (char c : raw.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            char next = valid ? c : '-';
            if (next == '-' && (clean.length() == 0 || clean.charAt(clean.length() - 1) == '-')) {
                continue;
            }
            clean.append(next);
        }
        while (clean.length() > 0 && clean.charAt(clean.length() - 1) == '-') {
            clean.setLength(clean.length() - 1);
        }
        if (clean.length() == 0 || (letterFirst && !Character.isLetter(clean.charAt(0)))) {
            clean.insert(0, clean.length() == 0 ? "x" : "x-");
        }
        String result = clean.toString();
        if (result.equals(raw) && result.length() <= max) {
            return result;
        }
        String suffix = "-" + hash(raw);
        String head = result.substring(0, Math.min(result.length(), max - suffix.length()));
        while (head.endsWith("-")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + suffix;
    }

    private static String hash(String raw) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
