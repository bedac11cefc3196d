package emp.testsupport.mesos;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Signals to a task's whole process tree, as the command executor's {@code os::killtree} sends them. Every task
 * process the stand-in agents start is also killed, with its children, when the test JVM exits.
 *
 * <p>{@link emp.testsupport.OrphanGuard} does not fit here: it wraps a Java main class, and tasks are arbitrary
 * commands. A JVM that is killed outright (SIGKILL) leaves them running; a test run's timeout, which exits the JVM,
 * does not.
 */
final class ProcessTrees {
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> LIVE.forEach(process -> signal(process, true)), "stand-in-mesos-task-kill"));
    }

    private ProcessTrees() {}

    /** Remembers a task process so that it dies with the JVM at the latest. */
    static void track(ProcessHandle process) {
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
    }

    /**
     * Sends SIGTERM ({@code force} false) or SIGKILL to {@code root} and all its descendants. The descendants are
     * listed before the root is signalled: once it is gone, its children belong to init and cannot be found.
     */
    static void signal(ProcessHandle root, boolean force) {
        List<ProcessHandle> tree = root.descendants().collect(Collectors.toList());
        tree.add(0, root);
        for (ProcessHandle process : tree) {
            if (force) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
        }
    }

    /** {@code strsignal}'s name of a signal, as {@code WSTRINGIFY} prints it. */
    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "Hangup";
            case 2 -> "Interrupt";
            case 3 -> "Quit";
            case 4 -> "Illegal instruction";
            case 6 -> "Aborted";
            case 8 -> "Floating point exception";
            case 9 -> "Killed";
            case 10 -> "User defined signal 1";
            case 11 -> "Segmentation fault";
            case 12 -> "User defined signal 2";
            case 13 -> "Broken pipe";
            case 14 -> "Alarm clock";
            case 15 -> "Terminated";
            default -> "Unknown signal " + signal;
        };
    }
}
