package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
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
    void anAlteredNameEndsInAHashOfTheOriginal() {
        String upper = Names.namespace("emp-", "Alice");
        String underscore = Names.namespace("emp-", "al_ice");
        String trailingDash = Names.namespace("emp-", "alice-");

        assertThat(upper).matches("emp-alice-[0-9a-f]{6}");
        assertThat(underscore).matches("emp-al-ice-[0-9a-f]{6}");
        assertThat(trailingDash).matches("emp-alice-[0-9a-f]{6}");
        assertThat(upper)
                .as("different originals never share a namespace")
                .isNotEqualTo(trailingDash)
                .isNotEqualTo("emp-alice");
        assertThat(Names.namespace("emp-", "Alice"))
                .as("the same original always gives the same name")
                .isEqualTo(upper);
    }

    @Test
    void aLongNameIsCutToSixtyThreeCharactersWithItsHash() {
        String owner = "a".repeat(30) + "-" + "b".repeat(40);

        String namespace = Names.namespace("emp-", owner);

        assertThat(namespace).hasSize(63).matches(DNS_LABEL).startsWith("emp-aaaa");
        assertThat(namespace).isNotEqualTo(Names.namespace("emp-", owner + "c"));
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
