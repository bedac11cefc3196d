package emp.host.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir
    Path dataDir;

    private final SecretBox box = SecretBox.of(key((byte) 1), "a test key");

    @Test
    void aSealedValueOpensForItsAppAndNameOnly() {
        String sealed = box.seal("app1", "DB_PASSWORD", "hunter2");

        assertThat(sealed).startsWith("v1." + box.keyId() + ".").doesNotContain("hunter2");
        assertThat(box.open("app1", "DB_PASSWORD", sealed)).isEqualTo("hunter2");
        assertThat(box.seal("app1", "DB_PASSWORD", "hunter2"))
                .as("a fresh nonce each time")
                .isNotEqualTo(sealed);
        assertThatThrownBy(() -> box.open("app2", "DB_PASSWORD", sealed))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("secret 'DB_PASSWORD' cannot be read")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> box.open("app1", "OTHER", sealed)).isInstanceOf(PlatformException.class);
    }

    @Test
    void anAlteredValueOrAnotherKeyIsRefusedSayingWhy() {
        String sealed = box.seal("app1", "TOKEN", "value");
        char last = sealed.charAt(sealed.length() - 1);
        String altered = sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThatThrownBy(() -> box.open("app1", "TOKEN", altered)).hasMessageContaining("does not open");

        SecretBox other = SecretBox.of(key((byte) 2), "another key");
        assertThatThrownBy(() -> other.open("app1", "TOKEN", sealed))
                .hasMessageContaining("sealed with the key " + box.keyId())
                .hasMessageContaining("this server has the key " + other.keyId())
                .hasMessageContaining("secrets.key");
        assertThatThrownBy(() -> box.open("app1", "TOKEN", "plain text")).hasMessageContaining("not in a form");
    }

    @Test
    void theKeyComesInlineFromAFileOrIsMadeOnceInTheDataFolder() throws Exception {
        String inline = Base64.getEncoder().encodeToString(key((byte) 3));
        SecretBox fromInline = SecretBox.load(Optional.of(inline), Optional.empty(), dataDir);
        Path file = Files.writeString(dataDir.resolve("given.key"), inline + "\n");
        SecretBox fromFile = SecretBox.load(Optional.empty(), Optional.of(file), dataDir);
        assertThat(fromFile.keyId()).isEqualTo(fromInline.keyId());
        assertThat(fromFile.open("a", "B", fromInline.seal("a", "B", "c"))).isEqualTo("c");

        SecretBox made = SecretBox.load(Optional.empty(), Optional.empty(), dataDir);
        SecretBox again = SecretBox.load(Optional.empty(), Optional.empty(), dataDir);
        assertThat(again.keyId()).isEqualTo(made.keyId()).isNotEqualTo(fromInline.keyId());
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("secrets.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        assertThatThrownBy(() -> SecretBox.load(Optional.of("c2hvcnQ="), Optional.empty(), dataDir))
                .hasMessageContaining("is 5 bytes; it must be 32");
        assertThatThrownBy(() -> SecretBox.load(Optional.of("not base64!"), Optional.empty(), dataDir))
                .hasMessageContaining("not base64");
        assertThatThrownBy(() -> SecretBox.load(Optional.empty(), Optional.of(dataDir.resolve("missing")), dataDir))
                .hasMessageContaining("cannot read the secrets key file");
    }

    private static byte[] key(byte fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, fill);
        return key;
    }
}
