package emp.host;

import picocli.CommandLine;

/** {@code bin/emp-server}: the server alone, with the same flags as {@code emp server}. */
public final class EmpServerMain {
    private EmpServerMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerCommand()).execute(args));
    }
}
