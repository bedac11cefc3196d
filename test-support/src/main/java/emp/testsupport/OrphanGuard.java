package emp.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The entry point of every server the harness starts: it runs the server's own main class and exits the JVM when
 * the test JVM that started it is gone (its standard input, a pipe from the parent, reaches end of file). Without
 * it a test JVM killed by a timeout would leave brokers running and their ports taken.
 */
public final class OrphanGuard {
    /** How long the server's own shutdown hooks get once the parent is gone, before the JVM halts. */
    private static final long GRACE_MILLIS = 10_000;

    private OrphanGuard() {}

    /**
     * @param args the server's main class, then its arguments
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: OrphanGuard MAIN_CLASS [ARGS...]");
        }
        Thread watcher = new Thread(OrphanGuard::exitWhenParentIsGone, "orphan-guard");
        watcher.setDaemon(true);
        watcher.start();
        Method main =
                Class.forName(args[0], true, ClassLoader.getSystemClassLoader()).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void exitWhenParentIsGone() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // The parent never writes; reading only waits for the pipe to close.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end of file: the parent is gone.
        }
        Thread halt = new Thread(
                () -> {
                    try {
                        Thread.sleep(GRACE_MILLIS);
                    } catch (InterruptedException ignored) {
                        // Halting now is what was going to happen anyway.
                    }
                    Runtime.getRuntime().halt(137);
                },
                "orphan-guard-halt");
        halt.setDaemon(true);
        halt.start();
        System.err.println("orphan-guard: the test JVM that started this server is gone; exiting");
        System.exit(143);
    }
}
