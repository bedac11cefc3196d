package emp.cluster.local;

import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the local cluster refuses in a spec's {@code command} before anything runs, each with what to do instead. */
final class CommandCheck {
    private CommandCheck() {}

    /**
     * @param walls the cluster's confinement, or null before it started (then files are not checked for its users)
     * @throws PlatformException naming field {@code command} when the local cluster cannot run it
     */
    static void validate(AppSpec spec, Confinement walls) {
        if (spec.command().isEmpty()) {
            throw PlatformException.unsupported(
                    "command",
                    "app '" + spec.name() + "' has no 'command'; the local cluster runs "
                            + (spec.dockerImage() != null ? "commands, not docker images" : "commands")
                            + " - add \"command\": [\"java\", \"-jar\", \"app.jar\"]");
        }
        String executable = spec.command().get(0);
        if (executable.isBlank()) {
            throw PlatformException.unsupported(
                    "command",
                    "app '" + spec.name() + "' has an empty first 'command' argument;"
                            + " it must name the program to run, e.g. \"command\": [\"java\", \"-jar\", \"app.jar\"]");
        }
        String path = spec.envs().stream()
                .filter(env -> env.name().equals("PATH"))
                .map(EnvVar::value)
                .reduce((first, second) -> second)
                .orElse(System.getenv("PATH"));
        Optional<String> resolved = CommandLine.resolve(executable, path);
        if (resolved.isEmpty()) {
            throw PlatformException.invalid(
                    "command",
                    "app '" + spec.name() + "' runs '" + executable
                            + "', which is not on the server's PATH; install it or give its absolute path as the first 'command' argument");
        }
        if (walls != null) {
            List<String> argv = new ArrayList<>(spec.command());
            argv.set(0, resolved.get());
            walls.unreachable(argv).ifPresent(why -> {
                throw PlatformException.invalid(
                        "command",
                        "app '" + spec.name() + "' runs as an OS user of its owner's own (" + LocalClusterConfig.SECTION
                                + "." + LocalClusterConfig.SANDBOX + "), and its command names " + why
                                + "; put the app's files where every user may read them (chmod -R o+rX), or start"
                                + " the server with --set " + LocalClusterConfig.SECTION + "."
                                + LocalClusterConfig.SANDBOX + "=none");
            });
        }
    }
}
