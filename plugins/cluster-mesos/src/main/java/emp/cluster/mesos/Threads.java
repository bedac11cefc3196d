package emp.cluster.mesos;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The plugin's threads: daemons, named, with the plugin's class loader as their context loader. */
final class Threads {
    private Threads() {}

    static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader loader = Threads.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(loader);
            return thread;
        };
    }
}
