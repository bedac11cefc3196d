package emp.scheduler.tracegraph;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Numbers as a person reads them in a decision's reason: no needless decimals, no exponent. */
final class Figures {
    private Figures() {}

    /** Milliseconds, whole: {@code 410}. */
    static String ms(double millis) {
        return Long.toString(Math.round(millis));
    }

    /** At most {@code decimals} decimals, trailing zeros dropped: {@code 12}, {@code 0.38}, {@code 6.51}. */
    static String number(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value)
                .setScale(decimals, RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }

    /** A share as a percentage: {@code 50%}. */
    static String percent(double share) {
        return number(share * 100, 1) + "%";
    }

    /** Whole seconds: {@code 30 s}. */
    static String seconds(Duration duration) {
        return duration.toSeconds() + " s";
    }
}
