package emp.spi;

/**
 * The version of the contracts in this package, which a host speaks and a plugin is built against. A plugin says
 * which versions it works with in its manifest ({@code Plugin-Requires: >=0.4.0 & <0.5.0}); a host refuses a plugin
 * that does not accept its version. Before 1.0, a minor version may change the contracts; a patch version only adds
 * methods with defaults, which a plugin built against the version before does not need to know.
 */
public final class SpiVersion {
    /**
     * What this SPI is: 0.4.0 added releases' secrets, rollouts and outdated replicas to the cluster contract; 0.4.1 the
     * state store's change feed ({@link emp.spi.store.StateStore#watch}); 0.4.2 made a cluster's logs optional and
     * marked what nothing calls for removal in 0.5.0.
     */
    public static final String CURRENT = "0.4.2";

    /** The range a plugin built against this SPI accepts, for its {@code Plugin-Requires}. */
    public static final String COMPATIBLE = ">=0.4.0 & <0.5.0";

    private SpiVersion() {}
}
