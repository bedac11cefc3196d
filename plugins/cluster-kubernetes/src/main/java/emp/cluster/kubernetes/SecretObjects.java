package emp.cluster.kubernetes;

import emp.spi.PlatformException;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an app's secrets become on Kubernetes: a Secret of the app's, checked names, and a keyed digest of the values
 * for the pod template, so that a changed value rolls the pods. Part of {@link AppObjects}.
 */
final class SecretObjects {
    /** What Kubernetes accepts as a key of a Secret's data. */
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    private static final int MAX_SECRET_KEY = 253;

    private final SecretKeySpec digestKey;

    /** @param digestKey the key of the digests, the same for every server of a platform */
    SecretObjects(byte[] digestKey) {
        this.digestKey = new SecretKeySpec(digestKey.clone(), "HmacSHA256");
    }

    /** A random key for the secrets digests. */
    static byte[] newDigestKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /**
     * The Secret that holds an app's secrets, for its replicas to read through {@code secretKeyRef}; {@code data}
     * (base64) rather than {@code stringData}, whose keys server-side apply would not remove when a secret is unset.
     */
    Secret secret(Names names, AppDeployment deployment) {
        Map<String, String> data = new TreeMap<>();
        Base64.Encoder base64 = Base64.getEncoder();
        deployment
                .secrets()
                .forEach(
                        (name, value) -> data.put(name, base64.encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(names.secret())
                .withNamespace(names.namespace())
                .withLabels(Labels.of(names))
                .withAnnotations(Labels.annotations(names))
                .endMetadata()
                .withType("Opaque")
                .withData(data)
                .build();
    }

    /**
     * Refuses a secret whose name cannot be a key of a Secret; the API server would refuse the Secret with less to go
     * on. Names only: no secret's value is ever part of an error.
     *
     * @throws PlatformException of category INVALID naming {@code secrets}
     */
    static void validate(AppDeployment deployment) {
        for (String name : new TreeSet<>(deployment.secrets().keySet())) {
            if (!SECRET_KEY.matcher(name).matches() || name.length() > MAX_SECRET_KEY) {
                throw PlatformException.invalid(
                        "secrets",
                        "secret '" + name + "' of app '" + deployment.app() + "' cannot be a key of a Kubernetes"
                                + " Secret; name it with letters, digits, '_', '-' and '.' only");
            }
        }
    }

    /**
     * The first {@value AppObjects#DIGEST_CHARS} hex digits of an HMAC-SHA256 of the secrets' names and values in name order,
     * each preceded by its length so that no two sets give the same input. It changes with any value, which rolls the
     * replicas; and since its key is the plugin's, kept in EMP's store, whoever reads the workload (Kubernetes' view
     * role, which cannot read Secrets) cannot test guesses of a value against it.
     */
    String digest(Map<String, String> secrets) {
        StringBuilder input = new StringBuilder();
        new TreeMap<>(secrets)
                .forEach((name, value) -> input.append(name.length())
                        .append(':')
                        .append(name)
                        .append(value.length())
                        .append(':')
                        .append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(digestKey);
            byte[] digest = mac.doFinal(input.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, AppObjects.DIGEST_CHARS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
