package emp.scheduler.threshold;

import java.math.BigDecimal;
import java.math.MathContext;

/** Writes figures the way a reason in the event log shows them: {@code 410}, {@code 1.2}, {@code 0.4%}. */
final class Numbers {
    private Numbers() {}

    /** Whole numbers from 100 up; three significant digits below, without trailing zeros. */
    static String format(double value) {
        if (!Double.isFinite(value)) {
            return String.valueOf(value);
        }
        if (Math.abs(value) >= 100) {
            return Long.toString(Math.round(value));
        }
        return significant(value, 3);
    }

    /**
     * A fraction as a percentage with four significant digits, so that availabilities such as {@code 99.95%} are
     * not rounded onto their target.
     */
    static String percent(double fraction) {
        double value = fraction * 100;
        if (!Double.isFinite(value)) {
            return value + "%";
        }
        return significant(value, 4) + "%";
    }

    private static String significant(double value, int digits) {
        return new BigDecimal(value)
                .round(new MathContext(digits))
                .stripTrailingZeros()
                .toPlainString();
    }
}
