package emp.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The base of {@code emp}'s own subcommands: they find the run's {@link CliContext} through their parent. */
abstract class EmpCommand implements Callable<Integer> {
    @ParentCommand
    EmpMain root;

    @Spec
    CommandSpec spec;

    CliContext context() {
        return root.context();
    }
}
