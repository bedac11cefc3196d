package emp.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code emp completion bash|zsh}: prints a shell completion script made by picocli from the command tree. */
@Command(
        name = "completion",
        description = {
            "Prints a completion script for bash or zsh.",
            "bash: source <(emp completion bash)   zsh: source <(emp completion zsh)"
        })
final class CompletionCommand extends EmpCommand {
    /** The shells a script can be made for. */
    enum Shell {
        BASH,
        ZSH
    }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.", completionCandidates = ShellNames.class)
    Shell shell;

    /** The shells as a person types them. */
    static final class ShellNames extends ArrayList<String> {
        ShellNames() {
            super(List.of("bash", "zsh"));
        }
    }

    @Override
    public Integer call() {
        String script = AutoComplete.bash("emp", spec.root().commandLine());
        if (shell == Shell.ZSH) {
            // picocli's script is bash's; zsh runs it through its bash-compatibility layer.
            script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        context().out().print(script);
        context().out().flush();
        return 0;
    }
}
