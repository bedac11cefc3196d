package emp.spi;

import org.pf4j.ExtensionPoint;

/**
 * What every EMP extension factory has in common: a short name by which the configuration chooses it
 * ({@code cluster.use: local}, {@code --store redis}).
 */
public interface EmpExtension extends ExtensionPoint {
    /** The short name that chooses this implementation, e.g. {@code local}, {@code file}, {@code redis}; lower case. */
    String name();

    /** One line saying what this implementation is, for {@code emp plugins}. */
    default String description() {
        return name();
    }
}
