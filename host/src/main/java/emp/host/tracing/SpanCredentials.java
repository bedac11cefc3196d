package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The span credentials of apps: what a replica sends with its spans so that the platform knows whose they are, and
 * refuses spans one app sends in another's name. A credential is {@code APP.MAC}: the app's {@code owner/name} in
 * base64url and an HMAC-SHA256 of it under the platform's span key, so it is checked without a read of the store and
 * every server of the control plane issues the same one. The key is made once, at the first start, and kept in the
 * state store (collection {@value #COLLECTION}), which tenants cannot read; a credential stays good for as long as the
 * key, and an app removed and deployed again under its name gets the same one (its spans are its own either way).
 * Thread-safe.
 */
public final class SpanCredentials {
    static final String COLLECTION = "platform";
    static final String KEY = "span-key";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** Longer than any credential issued: {@code owner/name} is at most 81 characters, its MAC 43. */
    private static final int MAX_LENGTH = 256;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    private SpanCredentials(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** The credentials under the platform's span key, made and stored now if this is the platform's first start. */
    public static SpanCredentials load(StateStore store) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<byte[]> stored = store.get(COLLECTION, KEY).map(entry -> DECODER.decode(entry.value()));
            if (stored.isPresent()) {
                return new SpanCredentials(stored.get());
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            try {
                store.commit(Write.create(COLLECTION, KEY, ENCODER.encodeToString(fresh)));
                return new SpanCredentials(fresh);
            } catch (VersionConflictException e) {
                // Another server of the control plane made it first: take that one.
            }
        }
        throw new IllegalStateException("the span key could neither be read nor made in the state store");
    }

    /** The credential of {@code app}. */
    public String issue(AppRef app) {
        String name = ENCODER.encodeToString(app.toString().getBytes(StandardCharsets.UTF_8));
        return name + "." + ENCODER.encodeToString(mac(name));
    }

    /** The app {@code credential} was issued to; empty when it is none this platform issued. */
    public Optional<AppRef> verify(String credential) {
        if (credential == null || credential.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = credential.indexOf('.');
        if (dot <= 0 || dot != credential.lastIndexOf('.')) {
            return Optional.empty();
        }
        String name = credential.substring(0, dot);
        try {
            byte[] given = DECODER.decode(credential.substring(dot + 1));
            if (!MessageDigest.isEqual(given, mac(name))) {
                return Optional.empty();
            }
            return Optional.of(AppRef.parse(new String(DECODER.decode(name), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String name) {
        // One keyed Mac per thread: every span body is checked, and a Mac is costly to make, not to reuse.
        return macs.get().doFinal(name.getBytes(StandardCharsets.US_ASCII));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }
}
