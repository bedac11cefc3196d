package emp.host.auth;

import java.security.SecureRandom;
import java.util.Base64;

/** The platform's secrets: session and scrape tokens, invites, the setup token. */
final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /**
     * 32 random bytes, base64url, after a prefix that names the kind: a secret typed on a command line never starts
     * with '-' (which a base64url one does once in 64 and a CLI takes for an option), and a leaked one is recognisable.
     */
    static String next(String kind) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return kind + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
