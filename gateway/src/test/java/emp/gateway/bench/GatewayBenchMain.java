package emp.gateway.bench;

import emp.gateway.Backend;
import emp.gateway.Gateway;
import emp.gateway.GatewayConfig;
import emp.gateway.Route;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway for {@code bench/gateway-bench.sh}: serves {@code /bench/hello/...} from the replicas named on the command
 * line, listening on a free port of 127.0.0.1 that it prints, until it is stopped (SIGTERM closes it).
 *
 * <p>Usage: {@code GatewayBenchMain HOST:PORT...}
 */
public final class GatewayBenchMain {
    private GatewayBenchMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.err.println("usage: GatewayBenchMain HOST:PORT... (the replicas of app 'bench/hello')");
            System.exit(2);
        }
        List<Backend> replicas = new ArrayList<>();
        for (String arg : args) {
            int colon = arg.lastIndexOf(':');
            if (colon <= 0) {
                System.err.println("replica '" + arg + "' is not HOST:PORT, e.g. 127.0.0.1:8000");
                System.exit(2);
            }
            replicas.add(new Backend(
                    "hello-" + (replicas.size() + 1),
                    new InetSocketAddress(arg.substring(0, colon), Integer.parseInt(arg.substring(colon + 1)))));
        }
        Optional<Route> route = Optional.of(Route.to(replicas));
        Gateway gateway = new Gateway(
                GatewayConfig.defaults("127.0.0.1", 0),
                (user, app) -> user.equals("bench") && app.equals("hello") ? route : Optional.empty());
        gateway.start();
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-bench-shutdown"));
        System.out.println("gateway listening on " + gateway.baseUri() + "/bench/hello/");
        System.out.flush();
        // The event loop threads are daemons: hold the JVM open until the script stops it.
        new CountDownLatch(1).await();
    }
}
