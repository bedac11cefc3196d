package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoscaleExperimentTest {
    @TempDir
    Path folder;

    @Test
    void theReportReadsEveryRecordedPolicyBuiltInOnesFirst() throws IOException {
        for (String policy : List.of("queue", "tracegraph", "none", "aardvark", "kpa")) {
            Files.writeString(folder.resolve("load-step-" + policy + ".run.json"), "{}");
        }
        Files.writeString(folder.resolve("load-step-none.load.csv"), "");
        Files.writeString(folder.resolve("spike-threshold.run.json"), "{}");

        assertThat(AutoscaleExperiment.recordedPolicies(folder, "load-step"))
                .containsExactly("none", "kpa", "tracegraph", "aardvark", "queue");
    }
}
