package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import emp.spi.AppRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamesTest {
    /** What Kubernetes accepts as a namespace name or a label value of this kind. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    @Test
    void aUsernameThatIsAlreadyALabelIsKeptAfterThePrefix() {
        Names names = Names.of("emp-", new AppRef("alice", "songs"));

        assertThat(names.namespace()).isEqualTo("emp-alice");
        assertThat(names.object()).isEqualTo("songs");
        assertThat(names.ownerLabel()).isEqualTo("alice");
        assertThat(names.nameLabel()).isEqualTo("songs");
        assertThat(names.ingressPath()).isEqualTo("/alice/songs");
    }

    @Test
    void aNameThatIsNotAUsernameStartsWithZeroAndEndsInAHashOfTheOriginal() {
        String upper = Names.namespace("emp-", "Alice");
        String underscore = Names.namespace("emp-", "al_ice");

        assertThat(upper).matches("emp-0-alice-[0-9a-f]{6}");
        assertThat(underscore).matches("emp-0-al-ice-[0-9a-f]{6}");
        assertThat(upper).as("different originals never share a namespace").isNotEqualTo("emp-alice");
        assertThat(Names.namespace("emp-", "Alice"))
                .as("the same original always gives the same name")
                .isEqualTo(upper);
    }

    @Test
    void aUsernameEndingInDashesIsCountedNotHashed() {
        assertThat(Names.namespace("emp-", "bob-")).isEqualTo("emp-1bob");
        assertThat(Names.namespace("emp-", "bob---")).isEqualTo("emp-3bob");
        assertThat(Names.namespace("emp-", "a" + "-".repeat(30))).isEqualTo("emp-30a");
    }

    @Test
    void twoUsernamesThatOnceSharedANamespaceNoLongerDo() {
        // Before, "emp-bob-" was cleaned to "emp-bob" and given its hash "0be5c7": the namespace of user "bob-0be5c7".
        String trailingDash = Names.namespace("emp-", "bob-");
        String lookalike = Names.namespace("emp-", "bob-0be5c7");

        assertThat(lookalike).isEqualTo("emp-bob-0be5c7");
        assertThat(trailingDash).isNotEqualTo(lookalike);
    }

    @Test
    void noTwoUsernamesShareANamespaceExhaustivelyOverASmallAlphabet() {
        // Every username of up to 7 characters over a, b, 0 and -: every mix of trailing, doubled and inner dashes.
        char[] alphabet = {'a', 'b', '0', '-'};
        List<String> usernames = new ArrayList<>();
        for (int length = 2; length <= 7; length++) {
            int tails = (int) Math.pow(alphabet.length, length - 1);
            for (char first : new char[] {'a', 'b'}) {
                for (int n = 0; n < tails; n++) {
                    StringBuilder name = new StringBuilder().append(first);
                    for (int i = 0, rest = n; i < length - 1; i++, rest /= alphabet.length) {
                        name.append(alphabet[rest % alphabet.length]);
                    }
                    usernames.add(name.toString());
                }
            }
        }
        for (String prefix : new String[] {"emp-", "emp", "e1", "e-"}) {
            assertInjective(prefix, usernames);
        }
    }

    @Test
    void noTwoUsernamesShareANamespaceOverManyRandomOnes() {
        Random random = new Random(42);
        String letters = "abcdefghijklmnopqrstuvwxyz";
        String rest = letters + "0123456789" + "-".repeat(12);
        Set<String> usernames = new HashSet<>();
        while (usernames.size() < 100_000) {
            StringBuilder name = new StringBuilder().append(letters.charAt(random.nextInt(letters.length())));
            int length = 2 + random.nextInt(30);
            while (name.length() < length) {
                name.append(rest.charAt(random.nextInt(rest.length())));
            }
            usernames.add(name.toString());
        }
        assertInjective("emp-", new ArrayList<>(usernames));
        assertInjective("a-twenty-char-prefix", new ArrayList<>(usernames));
    }

    private static void assertInjective(String prefix, List<String> usernames) {
        Map<String, String> owners = new HashMap<>();
        for (String username : usernames) {
            assertThat(username).matches("[a-z][a-z0-9-]{1,30}");
            String namespace = Names.namespace(prefix, username);
            assertThat(namespace).as(username).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
            String previous = owners.put(namespace, username);
            if (previous != null) {
                fail("users '%s' and '%s' share namespace '%s'", previous, username, namespace);
            }
        }
    }

    @Test
    void everyResultIsALabelWhateverTheInput() {
        for (String raw : new String[] {"---", "", "Ünïcödé", "a..b", "9lives", "-x-", "A".repeat(100)}) {
            assertThat(Names.namespace("emp-", raw)).as(raw).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
            assertThat(Names.label(raw)).as(raw).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
            assertThat(Names.objectName(raw))
                    .as("%s as a Service name starts with a letter", raw)
                    .matches("[a-z]([-a-z0-9]*[a-z0-9])?")
                    .hasSizeLessThanOrEqualTo(Names.MAX_OBJECT);
        }
    }

    @Test
    void anAppNameEMPAcceptsIsItsObjectNameUnchanged() {
        assertThat(Names.objectName("song-db")).isEqualTo("song-db");
        assertThat(Names.objectName("a" + "b".repeat(38) + "c")).hasSize(40).doesNotContain("-");
    }
}
