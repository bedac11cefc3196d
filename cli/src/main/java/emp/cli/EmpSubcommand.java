package emp.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The base of the commands of a group, like {@code emp config list}: they find the run's {@link CliContext} through
 * their group, itself an {@link EmpCommand}.
 */
abstract class EmpSubcommand implements Callable<Integer> {
    @ParentCommand
    EmpCommand group;

    @Spec
    CommandSpec spec;

    CliContext context() {
        return group.context();
    }
}
