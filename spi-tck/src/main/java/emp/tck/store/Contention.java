package emp.tck.store;

import static emp.tck.store.AbstractStateStoreSuite.APPS;
import static java.util.concurrent.TimeUnit.MINUTES;

import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** How the kit's suites make threads contend: on one store object, and on several over the same data. */
final class Contention {
    private Contention() {}

    /** Adds one to the number in {@code apps/key}, {@code times} times, re-reading and retrying on every conflict. */
    static void incrementWithRetries(StateStore target, String key, int times) {
        for (int done = 0; done < times; ) {
            Entry current = target.get(APPS, key).orElseThrow();
            String next = Integer.toString(Integer.parseInt(current.value()) + 1);
            try {
                target.commit(Write.update(APPS, key, next, current.version()));
                done++;
            } catch (VersionConflictException conflict) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Runs the tasks on threads of their own, released together so that they contend, and returns their results
     * in order. A task's exception or assertion failure fails the test.
     */
    static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                // A generous bound only so that a deadlocked store fails the test instead of hanging the build.
                results.add(future.get(2, MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
