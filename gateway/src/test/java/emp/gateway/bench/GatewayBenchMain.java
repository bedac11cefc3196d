package emp.gateway.bench;

import emp.gateway.Backend;
import emp.gateway.Gateway;
import emp.gateway.GatewayConfig;
import emp.gateway.GatewaySpans;
import emp.gateway.Route;
import emp.gateway.RouteTable;
import emp.spi.cluster.LoadSecond;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway for {@code bench/gateway-bench.sh}: serves {@code /bench/hello/...} from the replicas named on the command
 * line, listening on a free port of 127.0.0.1 that it prints, until it is stopped (SIGTERM closes it).
 *
 * <p>Usage: {@code GatewayBenchMain HOST:PORT...}. System properties: {@code emp.bench.concurrency} fixes the replicas'
 * concurrency limit (learned by default), {@code emp.bench.load=true} prints the app's load every second,
 * {@code emp.bench.spans=true} records the gateway's span of every request (into a sink that drops them).
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
        // -Demp.bench.concurrency=N fixes each replica's limit at N instead of learning it.
        int concurrency = Integer.getInteger("emp.bench.concurrency", Route.LEARNED);
        Optional<Route> route = Optional.of(new Route(replicas, concurrency, Route.DEFAULT_QUEUE_TIMEOUT, false));
        RouteTable routes = (user, app) -> user.equals("bench") && app.equals("hello") ? route : Optional.empty();
        Gateway gateway;
        if (Boolean.getBoolean("emp.bench.spans")) {
            // The gateway's own span per request, as the platform records them, handed to a sink that drops them.
            GatewaySpans spans = new GatewaySpans(batch -> {}, GatewaySpans.DEFAULT_CAPACITY);
            spans.start(runnable -> {
                Thread thread = new Thread(runnable, "gateway-bench-spans");
                thread.setDaemon(true);
                return thread;
            });
            gateway = new Gateway(GatewayConfig.defaults("127.0.0.1", 0), routes, spans);
        } else {
            gateway = new Gateway(GatewayConfig.defaults("127.0.0.1", 0), routes);
        }
        gateway.start();
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-bench-shutdown"));
        System.out.println("gateway listening on " + gateway.baseUri() + "/bench/hello/");
        System.out.flush();
        if (Boolean.getBoolean("emp.bench.load")) {
            printLoadEverySecond(gateway);
        }
        // The event loop threads are daemons: hold the JVM open until the script stops it.
        new CountDownLatch(1).await();
    }

    /** With {@code -Demp.bench.load=true}: the app's last second as the gateway measured it, and its limit. */
    private static void printLoadEverySecond(Gateway gateway) {
        Thread printer = new Thread(
                () -> {
                    while (true) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        gateway.load("bench", "hello").ifPresent(load -> {
                            List<LoadSecond> seconds = load.seconds();
                            LoadSecond last = seconds.isEmpty() ? null : seconds.get(seconds.size() - 1);
                            System.out.printf(
                                    Locale.ROOT,
                                    "load: limit %d, in flight %d, queued %d, last second %s%n",
                                    load.limitPerReplica(),
                                    load.inFlight(),
                                    load.queued(),
                                    last);
                        });
                    }
                },
                "gateway-bench-load");
        printer.setDaemon(true);
        printer.start();
    }
}
