package emp.bench.autoscale;

import java.time.Duration;
import org.slf4j.Logger;

/** The loop of the harness's external controllers: a pass every period until interrupted; a failed pass is logged. */
final class Periodic {
    private Periodic() {}

    static void every(Duration period, Logger log, String what, Runnable pass) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(period.toMillis());
                try {
                    pass.run();
                } catch (RuntimeException e) {
                    log.warn("{} failed; trying again next period: {}", what, e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
