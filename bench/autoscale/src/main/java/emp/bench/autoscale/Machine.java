package emp.bench.autoscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the experiment ran on, in one line: CPU model and count, memory, OS, Java. */
final class Machine {
    private Machine() {}

    static String describe() throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        }
        String memory = "";
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            List<String> lines = Files.readAllLines(meminfo);
            for (String line : lines) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    memory = ", " + Math.round(kb / 1024.0 / 1024.0) + " GiB RAM";
                }
            }
        }
        return Runtime.getRuntime().availableProcessors() + " × " + cpu + memory + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + System.getProperty("java.version");
    }
}
