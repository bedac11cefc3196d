package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code cluster.kubernetes} section of the server configuration.
 *
 * @param inCluster       use the ServiceAccount mounted into EMP's own pod ({@code in-cluster}, default false)
 * @param kubeconfig      the kubeconfig file ({@code kubeconfig}); null means {@code $KUBECONFIG} or
 *                        {@code ~/.kube/config}. Not allowed with {@code in-cluster}
 * @param context         the kubeconfig context ({@code context}); null means its current context
 * @param namespacePrefix what each user's namespace name starts with ({@code namespace-prefix}, default
 *                        {@code emp-})
 * @param storageClass    the StorageClass of stateful apps' volumes ({@code storage-class}); null means the cluster's
 *                        default class
 * @param volumeSize      the size of each stateful replica's volume ({@code volume-size}, default {@code 1Gi})
 * @param exposure        how end users reach apps ({@code exposure}: LoadBalancer, NodePort or Ingress; default
 *                        LoadBalancer)
 * @param ingressClass    the IngressClass of the apps' Ingresses ({@code ingress-class}); null means the cluster's
 *                        default class. Only with exposure Ingress
 * @param ingressHost     the host name the Ingress rules answer to, and the apps' URLs use ({@code ingress-host});
 *                        null means any host, with URLs from the Ingress's address. Only with exposure Ingress
 * @param nodeHost        the address end users reach nodes at ({@code node-host}); null means a node's external
 *                        address, else its internal one. Only with exposure NodePort
 * @param kafkaAddress    the Kafka bootstrap servers replicas get as {@code KAFKA_ADDRESS} and {@code KAFKAADDRESS}
 *                        ({@code kafka-address}); null passes on the trace source's own value
 * @param podSecurity     the Pod Security Standard app replicas are held to ({@code pod-security}: restricted,
 *                        baseline or none; default restricted): their security context, and the enforce label of the
 *                        users' namespaces
 * @param networkPolicy   whether each user's namespace gets a NetworkPolicy that lets its pods be reached only from
 *                        their own namespace, EMP's and the ingress controller's, and reach only their own namespace,
 *                        EMP's and DNS ({@code network-policy}, default true)
 * @param empNamespace    the namespace EMP's server, Kafka and Zipkin run in, which apps may reach and be reached from
 *                        ({@code emp-namespace}, default {@code emp})
 * @param ingressNamespace the namespace of the ingress controller, which may reach the apps ({@code ingress-namespace});
 *                        null means it runs in EMP's namespace. Only with exposure Ingress
 * @param requestTimeout  how long one call to the API server may take ({@code request-timeout}, default 10s)
 * @param syncTimeout     how long {@link KubernetesClusterManager#start()} waits for its first full view of the
 *                        cluster before it goes on and keeps trying in the background ({@code sync-timeout}, default
 *                        30s; 0 does not wait)
 */
public record KubernetesClusterConfig(
        boolean inCluster,
        Path kubeconfig,
        String context,
        String namespacePrefix,
        String storageClass,
        String volumeSize,
        Exposure exposure,
        String ingressClass,
        String ingressHost,
        String nodeHost,
        String kafkaAddress,
        PodSecurity podSecurity,
        boolean networkPolicy,
        String empNamespace,
        String ingressNamespace,
        Duration requestTimeout,
        Duration syncTimeout) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "cluster.kubernetes";

    static final String IN_CLUSTER = "in-cluster";
    static final String KUBECONFIG = "kubeconfig";
    static final String CONTEXT = "context";
    static final String NAMESPACE_PREFIX = "namespace-prefix";
    static final String STORAGE_CLASS = "storage-class";
    static final String VOLUME_SIZE = "volume-size";
    static final String EXPOSURE = "exposure";
    static final String INGRESS_CLASS = "ingress-class";
    static final String INGRESS_HOST = "ingress-host";
    static final String NODE_HOST = "node-host";
    static final String KAFKA_ADDRESS = "kafka-address";
    static final String POD_SECURITY = "pod-security";
    static final String NETWORK_POLICY = "network-policy";
    static final String EMP_NAMESPACE = "emp-namespace";
    static final String INGRESS_NAMESPACE = "ingress-namespace";
    static final String REQUEST_TIMEOUT = "request-timeout";
    static final String SYNC_TIMEOUT = "sync-timeout";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(
            IN_CLUSTER,
            KUBECONFIG,
            CONTEXT,
            NAMESPACE_PREFIX,
            STORAGE_CLASS,
            VOLUME_SIZE,
            EXPOSURE,
            INGRESS_CLASS,
            INGRESS_HOST,
            NODE_HOST,
            KAFKA_ADDRESS,
            POD_SECURITY,
            NETWORK_POLICY,
            EMP_NAMESPACE,
            INGRESS_NAMESPACE,
            REQUEST_TIMEOUT,
            SYNC_TIMEOUT);

    static final String DEFAULT_NAMESPACE_PREFIX = "emp-";
    static final String DEFAULT_VOLUME_SIZE = "1Gi";
    static final String DEFAULT_EMP_NAMESPACE = "emp";
    /** The longest prefix, so that a user's name keeps most of the 63 characters of a namespace name. */
    static final int MAX_PREFIX_LENGTH = 20;

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9-]{0," + (MAX_PREFIX_LENGTH - 1) + "}");
    /** A Kubernetes quantity of bytes: a number with an optional binary or decimal suffix. */
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");
    /** A DNS-1123 label: what a namespace may be called. */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** A DNS-1123 subdomain: what a StorageClass, an IngressClass or a host may be called. */
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public KubernetesClusterConfig {
        requireNonNull(namespacePrefix, "namespacePrefix is null");
        requireNonNull(volumeSize, "volumeSize is null");
        requireNonNull(exposure, "exposure is null");
        requireNonNull(podSecurity, "podSecurity is null");
        requireNonNull(empNamespace, "empNamespace is null");
        requireNonNull(requestTimeout, "requestTimeout is null");
        requireNonNull(syncTimeout, "syncTimeout is null");
    }

    /** The configuration when the section is empty: the kubeconfig's current context, LoadBalancer Services. */
    public static KubernetesClusterConfig defaults() {
        return from(PluginConfig.empty(SECTION));
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is unknown, has a bad value or does not go
     *                           with another
     */
    public static KubernetesClusterConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        config.requireKnown(KEYS);
        boolean inCluster = config.bool(IN_CLUSTER, false);
        Path kubeconfig = config.get(KUBECONFIG).map(text -> path(config, text)).orElse(null);
        String context = config.get(CONTEXT).orElse(null);
        if (inCluster) {
            for (String key : new String[] {KUBECONFIG, CONTEXT}) {
                if (config.get(key).isPresent()) {
                    throw PlatformException.invalid(
                            config.fullKey(key),
                            "configuration key '" + config.fullKey(key) + "' is set, but '"
                                    + config.fullKey(IN_CLUSTER)
                                    + "' is true, which uses EMP's own ServiceAccount; remove one of the two");
                }
            }
        }
        String prefix = config.string(NAMESPACE_PREFIX, DEFAULT_NAMESPACE_PREFIX);
        if (!PREFIX.matcher(prefix).matches()) {
            throw PlatformException.invalid(
                    config.fullKey(NAMESPACE_PREFIX),
                    "configuration key '" + config.fullKey(NAMESPACE_PREFIX) + "' is '" + prefix
                            + "'; expected a lower-case letter followed by at most " + (MAX_PREFIX_LENGTH - 1)
                            + " lower-case letters, digits or '-', such as emp-");
        }
        String storageClass = subdomain(config, STORAGE_CLASS);
        String volumeSize = config.string(VOLUME_SIZE, DEFAULT_VOLUME_SIZE);
        var quantity = QUANTITY.matcher(volumeSize);
        if (!quantity.matches() || Double.parseDouble(quantity.group(1)) <= 0) {
            throw PlatformException.invalid(
                    config.fullKey(VOLUME_SIZE),
                    "configuration key '" + config.fullKey(VOLUME_SIZE) + "' is '" + volumeSize
                            + "'; expected a Kubernetes quantity above zero such as 1Gi or 500Mi");
        }
        Exposure exposure = config.get(EXPOSURE)
                .map(text -> Exposure.parse(text)
                        .orElseThrow(() -> PlatformException.invalid(
                                config.fullKey(EXPOSURE),
                                "configuration key '" + config.fullKey(EXPOSURE) + "' is '" + text + "'; expected "
                                        + Arrays.stream(Exposure.values())
                                                .map(Exposure::spelling)
                                                .collect(Collectors.joining(", "))
                                        + " (how end users reach apps)")))
                .orElse(Exposure.LOAD_BALANCER);
        String ingressClass = onlyWith(config, INGRESS_CLASS, exposure, Exposure.INGRESS);
        String ingressHost = onlyWith(config, INGRESS_HOST, exposure, Exposure.INGRESS);
        String nodeHost = onlyWith(config, NODE_HOST, exposure, Exposure.NODE_PORT);
        if (ingressClass != null) {
            subdomain(config, INGRESS_CLASS);
        }
        if (ingressHost != null) {
            subdomain(config, INGRESS_HOST);
        }
        String kafkaAddress = config.get(KAFKA_ADDRESS).orElse(null);
        PodSecurity podSecurity = config.get(POD_SECURITY)
                .map(text -> PodSecurity.parse(text)
                        .orElseThrow(() -> PlatformException.invalid(
                                config.fullKey(POD_SECURITY),
                                "configuration key '" + config.fullKey(POD_SECURITY) + "' is '" + text + "'; expected "
                                        + Arrays.stream(PodSecurity.values())
                                                .map(PodSecurity::spelling)
                                                .collect(Collectors.joining(", "))
                                        + " (the Pod Security Standard app replicas are held to)")))
                .orElse(PodSecurity.RESTRICTED);
        boolean networkPolicy = config.bool(NETWORK_POLICY, true);
        String empNamespace = config.string(EMP_NAMESPACE, DEFAULT_EMP_NAMESPACE);
        namespaceName(config, EMP_NAMESPACE, empNamespace);
        String ingressNamespace = onlyWith(config, INGRESS_NAMESPACE, exposure, Exposure.INGRESS);
        if (ingressNamespace != null) {
            namespaceName(config, INGRESS_NAMESPACE, ingressNamespace);
        }
        Duration requestTimeout = config.duration(REQUEST_TIMEOUT, Duration.ofSeconds(10));
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.toMillis() > Integer.MAX_VALUE) {
            throw PlatformException.invalid(
                    config.fullKey(REQUEST_TIMEOUT),
                    "configuration key '" + config.fullKey(REQUEST_TIMEOUT) + "' is " + requestTimeout
                            + "; expected a duration above zero such as 10s");
        }
        Duration syncTimeout = config.duration(SYNC_TIMEOUT, Duration.ofSeconds(30));
        if (syncTimeout.isNegative()) {
            throw PlatformException.invalid(
                    config.fullKey(SYNC_TIMEOUT),
                    "configuration key '" + config.fullKey(SYNC_TIMEOUT) + "' is " + syncTimeout
                            + "; expected a duration of zero or more such as 30s");
        }
        return new KubernetesClusterConfig(
                inCluster,
                kubeconfig,
                context,
                prefix,
                storageClass,
                volumeSize,
                exposure,
                ingressClass,
                ingressHost,
                nodeHost,
                kafkaAddress,
                podSecurity,
                networkPolicy,
                empNamespace,
                ingressNamespace,
                requestTimeout,
                syncTimeout);
    }

    /** Where the manager reads its credentials from, for logs and health details. */
    String credentialsSource() {
        if (inCluster) {
            return "in-cluster ServiceAccount";
        }
        String file = kubeconfig == null ? "default kubeconfig" : "kubeconfig '" + kubeconfig + "'";
        return context == null ? file : file + " context '" + context + "'";
    }

    /** The Ingress rule's host, when one is configured. */
    Optional<String> ingressHostName() {
        return Optional.ofNullable(ingressHost);
    }

    private static Path path(PluginConfig config, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw PlatformException.invalid(
                    config.fullKey(KUBECONFIG),
                    "configuration key '" + config.fullKey(KUBECONFIG) + "' is '" + text
                            + "', which is not a file path (" + e.getReason() + "); give the kubeconfig file's path");
        }
    }

    private static void namespaceName(PluginConfig config, String key, String value) {
        if (value.length() > Names.MAX_LABEL || !NAMESPACE.matcher(value).matches()) {
            throw PlatformException.invalid(
                    config.fullKey(key),
                    "configuration key '" + config.fullKey(key) + "' is '" + value
                            + "'; expected a namespace name: lower-case letters, digits and '-', such as emp");
        }
    }

    private static String subdomain(PluginConfig config, String key) {
        String value = config.get(key).orElse(null);
        if (value != null && (value.length() > 253 || !SUBDOMAIN.matcher(value).matches())) {
            throw PlatformException.invalid(
                    config.fullKey(key),
                    "configuration key '" + config.fullKey(key) + "' is '" + value
                            + "'; expected a lower-case DNS name such as 'standard' or 'apps.example.com'");
        }
        return value;
    }

    private static String onlyWith(PluginConfig config, String key, Exposure exposure, Exposure needed) {
        Optional<String> value = config.get(key);
        if (value.isPresent() && exposure != needed) {
            throw PlatformException.invalid(
                    config.fullKey(key),
                    "configuration key '" + config.fullKey(key) + "' only applies with '" + config.fullKey(EXPOSURE)
                            + "' " + needed.spelling() + ", but exposure is " + exposure.spelling()
                            + "; remove it or change the exposure");
        }
        return value.orElse(null);
    }
}
