package emp.dist;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The assembled distribution's {@code bin/emp}, run as a script would: its own EMP_HOME, no terminal. */
final class EmpCli {
    static final Path DIST = Path.of(System.getProperty("emp.dist", "target/emp"));

    private EmpCli() {}

    record Run(int exit, String out, String err) {}

    /**
     * @param work a folder for the command's captured output
     * @param home the EMP_HOME of the user running it
     */
    static Run run(Path work, Path home, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(DIST.resolve("bin/emp").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.put("EMP_HOME", home.toString());
        environment.remove("EMP_SERVER");
        environment.remove("EMP_TOKEN");
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(240, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("emp " + String.join(" ", args) + " did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The text with each run of spaces as one, so that checks do not depend on column widths. */
    static String squeezed(String text) {
        return text.replaceAll(" +", " ");
    }

    /** The line of a table whose first or second column is {@code key}, or null. */
    static String row(String table, String key) {
        return table.lines()
                .filter(line -> {
                    String[] cells = line.trim().split("\\s+");
                    return (cells.length > 0 && cells[0].equals(key)) || (cells.length > 1 && cells[1].equals(key));
                })
                .findFirst()
                .orElse(null);
    }

    /** The ids of the instances of an app's JSON ({@code emp info -o json}). */
    static List<String> ids(JsonNode instances) {
        List<String> ids = new ArrayList<>();
        instances.forEach(instance -> ids.add(instance.get("id").asText()));
        return ids;
    }
}
