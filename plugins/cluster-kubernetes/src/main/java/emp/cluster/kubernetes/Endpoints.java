package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How end users reach each app: its Service (of the type the exposure says) and, with exposure Ingress, its Ingress
 * rule; and the URL they call, once Kubernetes gave the app an address: the LoadBalancer's address, a node's address
 * and the node port, or the Ingress's host (or address) and {@code /{user}/{app}/}.
 */
final class Endpoints {
    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);

    /** How long a node address found for NodePort URLs is used before it is looked up again. */
    private static final Duration NODE_ADDRESS_TTL = Duration.ofMinutes(1);

    private final KubernetesClusterConfig config;
    private final AppObjects objects;
    private final ClusterApi api;
    private final ClusterCache cache;
    private final Clock clock;
    private final AtomicReference<NodeAddressLookup> nodeAddress = new AtomicReference<>();

    Endpoints(KubernetesClusterConfig config, AppObjects objects, ClusterApi api, ClusterCache cache, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.objects = requireNonNull(objects, "objects is null");
        this.api = requireNonNull(api, "api is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Writes the app's Service, before its workload: the workload's pods are reached through it. */
    void writeService(Names names, String doing) {
        api.applyOwned(objects.service(names), names, doing);
    }

    /** Writes the app's Ingress rule, with exposure Ingress. */
    void writeIngress(Names names, String doing) {
        if (config.exposure() == Exposure.INGRESS) {
            api.applyOwned(objects.ingress(names), names, doing);
        }
    }

    /** Where end users call the app, from the caches; empty until Kubernetes gave it an address. */
    Optional<URI> endpoint(Names names) {
        if (cache.workload(names) == null) {
            return Optional.empty();
        }
        return switch (config.exposure()) {
            case LOAD_BALANCER ->
                cache.service(names)
                        .map(Service::getStatus)
                        .map(ServiceStatus::getLoadBalancer)
                        .map(LoadBalancerStatus::getIngress)
                        .flatMap(found -> address(found, LoadBalancerIngress::getIp, LoadBalancerIngress::getHostname))
                        .map(address -> URI.create("http://" + host(address) + "/"));
            case NODE_PORT ->
                cache.service(names)
                        .map(Service::getSpec)
                        .map(ServiceSpec::getPorts)
                        .flatMap(ports -> ports.stream()
                                .map(ServicePort::getNodePort)
                                .filter(Objects::nonNull)
                                .findFirst())
                        .flatMap(port ->
                                nodeAddress().map(address -> URI.create("http://" + host(address) + ":" + port + "/")));
            case INGRESS ->
                config.ingressHostName()
                        .or(() -> cache.ingress(names)
                                .map(Ingress::getStatus)
                                .map(IngressStatus::getLoadBalancer)
                                .map(IngressLoadBalancerStatus::getIngress)
                                .flatMap(found -> address(
                                        found,
                                        IngressLoadBalancerIngress::getIp,
                                        IngressLoadBalancerIngress::getHostname)))
                        .map(address -> URI.create("http://" + host(address) + names.ingressPath() + "/"));
        };
    }

    /** The first address a load balancer's status gives: an IP, or else a host name. */
    private static <T> Optional<String> address(List<T> found, Function<T, String> ip, Function<T, String> hostname) {
        return found.stream()
                .map(entry -> ip.apply(entry) != null ? ip.apply(entry) : hostname.apply(entry))
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** The address NodePort URLs use: {@code node-host}, else a node's external address, else its internal one. */
    private Optional<String> nodeAddress() {
        if (config.nodeHost() != null) {
            return Optional.of(config.nodeHost());
        }
        NodeAddressLookup last = nodeAddress.get();
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.expires())) {
            return last.address();
        }
        Optional<String> found;
        try {
            List<Node> nodes = api.call(
                    "looking up a node's address for NodePort URLs",
                    () -> api.client().nodes().list().getItems());
            found = firstAddress(nodes, "ExternalIP").or(() -> firstAddress(nodes, "InternalIP"));
        } catch (PlatformException e) {
            log.warn("no URL for NodePort apps: {}; set {}.node-host", e.getMessage(), KubernetesClusterConfig.SECTION);
            found = Optional.empty();
        }
        nodeAddress.set(new NodeAddressLookup(found, now.plus(NODE_ADDRESS_TTL)));
        return found;
    }

    private static Optional<String> firstAddress(List<Node> nodes, String type) {
        return nodes.stream()
                .filter(node -> node.getStatus() != null && node.getStatus().getAddresses() != null)
                .flatMap(node -> node.getStatus().getAddresses().stream())
                .filter(address -> type.equals(address.getType()))
                .map(NodeAddress::getAddress)
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** A node address looked up, and until when it is used. */
    private record NodeAddressLookup(Optional<String> address, Instant expires) {}

    /** An address as a URL's host: an IPv6 address in brackets. */
    private static String host(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }
}
