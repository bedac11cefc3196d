package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the apps' secrets for the store with AES-256-GCM (the JDK's), under a key the operator provides: a sealed
 * value is {@code v1.<key id>.<base64url of a 12-byte nonce and the ciphertext with its tag>}, bound to its app and
 * name (the associated data), so that a sealed value copied to another app or variable does not open. The key id (the
 * first 4 bytes of the key's SHA-256) says which key sealed a value, so a server given another key says so instead
 * of failing obscurely.
 *
 * <p>The key is 32 bytes, given base64-encoded in {@code secrets.key} ({@code EMP_SECRETS_KEY}) or in the file
 * {@code secrets.key-file}; without either, one is made at first start in the data folder ({@code secrets.key},
 * readable by the server's user only), which suits one server. Several servers sharing a store must be given the
 * same key.
 */
public final class SecretBox {
    private static final String VERSION = "v1";
    private static final String KEY_COLLECTION = "platform";
    private static final String KEY_ID = "secrets-key-id";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKey key;
    private final String keyId;
    private final String origin;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key, String origin) {
        if (key.length != KEY_BYTES) {
            throw PlatformException.invalid(
                    "secrets.key",
                    "the secrets key from " + origin + " is " + key.length + " bytes; it must be " + KEY_BYTES
                            + " random bytes, base64-encoded (make one with 'openssl rand -base64 32')");
        }
        this.key = new SecretKeySpec(key, "AES");
        this.keyId = keyId(key);
        this.origin = origin;
    }

    /** A box with this key, for tests and for a key given inline. */
    public static SecretBox of(byte[] key, String origin) {
        return new SecretBox(key.clone(), requireNonNull(origin, "origin is null"));
    }

    /**
     * The operator's key: inline (base64), else from the file, else the data folder's own, made if missing.
     *
     * @param inline   {@code secrets.key}, or empty
     * @param file     {@code secrets.key-file}, or empty
     * @param dataDir  where a key of the server's own is kept
     */
    public static SecretBox load(Optional<String> inline, Optional<Path> file, Path dataDir) {
        if (inline.isPresent()) {
            return new SecretBox(decodeKey(inline.get(), "secrets.key"), "secrets.key");
        }
        if (file.isPresent()) {
            return new SecretBox(readKey(file.get()), file.get().toString());
        }
        Path own = dataDir.resolve("secrets.key");
        if (!Files.exists(own)) {
            makeKey(own);
        }
        return new SecretBox(readKey(own), own.toString());
    }

    /**
     * Records this key's id in the store, or checks it against the one recorded: every server of a platform must seal
     * with the same key, or a secret set through one would not open on the next leader.
     *
     * @throws PlatformException of category INVALID when the store's secrets were sealed with another key
     */
    public void requireSameKeyAs(StateStore store) {
        Optional<Entry> recorded = store.get(KEY_COLLECTION, KEY_ID);
        if (recorded.isEmpty()) {
            try {
                store.commit(Write.create(KEY_COLLECTION, KEY_ID, keyId));
                return;
            } catch (VersionConflictException e) {
                recorded = store.get(KEY_COLLECTION, KEY_ID);
            }
        }
        String theirs = recorded.map(Entry::value).orElse(keyId);
        if (!theirs.equals(keyId)) {
            throw PlatformException.invalid(
                    "secrets.key",
                    "this platform's store seals secrets with the key " + theirs + ", and this server has the key "
                            + keyId + " (from " + origin + "); give every server the same key with secrets.key"
                            + " (EMP_SECRETS_KEY) or secrets.key-file");
        }
    }

    /** Where the key came from, for the start-up log: never the key. */
    public String origin() {
        return origin;
    }

    public String keyId() {
        return keyId;
    }

    /** The sealed form of {@code value}, bound to the app and variable. */
    public String seal(String appId, String name, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(appId, name));
            byte[] ciphertext = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + ciphertext.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(ciphertext, 0, out, NONCE_BYTES, ciphertext.length);
            return VERSION + "." + keyId + "." + ENCODER.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * The value sealed for this app and variable.
     *
     * @throws PlatformException of category INVALID when the value was sealed with another key, for another app or
     *                           variable, or was altered: the message names the variable and never the value
     */
    public String open(String appId, String name, String sealedValue) {
        String[] parts = sealedValue.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw unreadable(name, "it is not in a form this server knows");
        }
        if (!parts[1].equals(keyId)) {
            throw unreadable(
                    name,
                    "it was sealed with the key " + parts[1] + " and this server has the key " + keyId + " (from "
                            + origin + "); give every server the same secrets.key or secrets.key-file");
        }
        try {
            byte[] in = DECODER.decode(parts[2]);
            if (in.length < NONCE_BYTES + TAG_BITS / 8) {
                throw unreadable(name, "it is cut short");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData(appId, name));
            byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw unreadable(name, "it does not open with this key (altered, or sealed for another app)");
        }
    }

    private static PlatformException unreadable(String name, String why) {
        return PlatformException.invalid(
                "secrets", "secret '" + name + "' cannot be read: " + why + "; set it again with 'emp secrets set'");
    }

    private static byte[] associatedData(String appId, String name) {
        return (appId + "\0" + name).getBytes(StandardCharsets.UTF_8);
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    private static byte[] decodeKey(String text, String origin) {
        try {
            return Base64.getMimeDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw PlatformException.invalid(
                    "secrets.key",
                    "the secrets key from " + origin + " is not base64; make one with 'openssl rand -base64 32'");
        }
    }

    private static byte[] readKey(Path file) {
        try {
            return decodeKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        } catch (IOException e) {
            throw PlatformException.invalid(
                    "secrets.key-file", "cannot read the secrets key file " + file + ": " + e.getMessage());
        }
    }

    private static void makeKey(Path file) {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "secrets", ".key");
            try {
                trySetOwnerOnly(temporary);
                Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n");
                Files.move(temporary, file);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (FileAlreadyExistsException e) {
            // Another server on this data folder made it first: that one is the key.
        } catch (IOException e) {
            throw PlatformException.invalid(
                    "secrets.key-file",
                    "cannot make a secrets key in " + file + ": " + e.getMessage()
                            + "; give one with secrets.key-file");
        }
    }

    private static void trySetOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the folder's own permissions protect it.
        }
    }
}
