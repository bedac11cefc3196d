package emp.tracing.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/** A list of items worked through in contiguous shares, one on the calling thread and the others on a pool. */
final class SharedWork {
    private SharedWork() {}

    /**
     * Runs {@code work} on shares of {@code items}: at most {@code threads} of them, each at least half of
     * {@code splitFrom} items (fewer items are one share, on this thread); returns once every share is done.
     *
     * @throws RuntimeException the first a share threw, after all have ended
     */
    static <T> void run(List<T> items, int threads, int splitFrom, ExecutorService pool, Consumer<List<T>> work) {
        int shares = items.size() < splitFrom ? 1 : Math.min(threads, items.size() / Math.max(1, splitFrom / 2));
        if (shares <= 1) {
            work.accept(items);
            return;
        }
        int size = (items.size() + shares - 1) / shares;
        List<Future<?>> pending = new ArrayList<>(shares - 1);
        try {
            for (int from = size; from < items.size(); from += size) {
                List<T> share = items.subList(from, Math.min(items.size(), from + size));
                pending.add(pool.submit(() -> work.accept(share)));
            }
        } catch (RejectedExecutionException e) {
            // The pool is closing: what could not be handed out is done here.
            pending.forEach(future -> future.cancel(false));
            work.accept(items);
            return;
        }
        work.accept(items.subList(0, Math.min(size, items.size())));
        RuntimeException failure = null;
        for (Future<?> future : pending) {
            try {
                future.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException runtime
                            ? runtime
                            : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (CancellationException e) {
                // Closed meanwhile.
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
