package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.JsonNodeFeature;

/**
 * The Kubernetes objects that run one app, made from its deployment and the plugin's configuration. Pure: it reads
 * nothing and calls nothing, so what EMP writes can be checked field by field.
 *
 * <p>Each app gets, in its user's namespace: a Deployment (stateless) or a StatefulSet with one volume per replica
 * (stateful), named after the app; a Service of the same name on port {@value #SERVICE_PORT}; with exposure
 * Ingress, an Ingress for {@code /{user}/{app}}; and, when the app has secrets, a Secret {@code <app>-secrets} that
 * holds them. Every object carries {@link Labels#of} and the app's exact names as annotations.
 */
final class AppObjects {
    /** The port of every app's Service; {@code <DEP>_URL} and end-user URLs use it. */
    static final int SERVICE_PORT = 80;
    /** The port an app listens on when its spec gives none. */
    static final int DEFAULT_CONTAINER_PORT = 8080;
    /** The name of the app's container, and of its port. */
    static final String CONTAINER = "app";

    static final String PORT_NAME = "http";
    static final String VOLUME = "data";
    static final String MOUNT_PATH = "/data";
    static final String CLUSTER_DOMAIN = "svc.cluster.local";
    /** How long the startup probe waits for a first answer of the health path. */
    static final int STARTUP_SECONDS = 300;

    /** How many hex digits of a SHA-256 the digest annotations keep. */
    static final int DIGEST_CHARS = 16;

    private static final ObjectMapper CANONICAL = Serialization.jsonMapper()
            .rebuild()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private final KubernetesClusterConfig config;
    private final SecretObjects secrets;

    /** Objects whose secrets digests are keyed with a key of their own, which no other instance shares. */
    AppObjects(KubernetesClusterConfig config) {
        this(config, SecretObjects.newDigestKey());
    }

    /**
     * @param digestKey the key of the secrets digests: the same for every server of a platform, so that a new leader
     *                  does not roll pods whose secrets did not change
     */
    AppObjects(KubernetesClusterConfig config, byte[] digestKey) {
        this.config = requireNonNull(config, "config is null");
        this.secrets = new SecretObjects(digestKey);
    }

    /** The Secret that holds an app's secrets (see {@link SecretObjects#secret}). */
    Secret secret(AppDeployment deployment) {
        return secrets.secret(names(deployment.app()), deployment);
    }

    /** The digest of an app's secrets on its pod template (see {@link SecretObjects#digest}). */
    String secretsDigest(Map<String, String> values) {
        return secrets.digest(values);
    }

    /** A rollout value as Kubernetes takes it: a count as a number, a percentage as a string. */
    private static IntOrString intOrString(String value) {
        return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
    }

    Names names(AppRef app) {
        return Names.of(config.namespacePrefix(), app);
    }

    /**
     * Refuses what the cluster cannot run: a spec without an image (the local cluster's {@code command} alone).
     *
     * @throws PlatformException of category UNSUPPORTED naming {@code docker_image}
     */
    static void validate(AppSpec spec) {
        requireNonNull(spec, "spec is null");
        if (spec.dockerImage() == null || spec.dockerImage().isBlank()) {
            throw PlatformException.unsupported(
                    "docker_image",
                    "app '" + spec.name() + "' has no 'docker_image'; the Kubernetes cluster runs container images"
                            + (spec.command().isEmpty() ? "" : ", not commands")
                            + " - build an image of the app and add \"docker_image\": \"registry/app:tag\"");
        }
        if (!spec.dockerImage().equals(spec.dockerImage().trim())
                || spec.dockerImage().chars().anyMatch(Character::isWhitespace)) {
            throw PlatformException.unsupported(
                    "docker_image",
                    "app '" + spec.name() + "' has 'docker_image' '" + spec.dockerImage()
                            + "', which holds white space; give an image reference such as registry/app:tag");
        }
    }

    /**
     * The user's namespace, marked as EMP's, and labelled for Pod Security admission with the configured
     * {@code pod-security}, so that no pod below it runs there, EMP's or not.
     */
    Namespace namespace(Names names) {
        NamespaceBuilder namespace = new NamespaceBuilder()
                .withNewMetadata()
                .withName(names.namespace())
                .addToLabels(Labels.MANAGED_BY, Labels.EMP)
                .addToLabels(Labels.OWNER, names.ownerLabel())
                .addToAnnotations(Labels.OWNER_ANNOTATION, names.app().owner())
                .endMetadata();
        config.podSecurity()
                .enforceLabel()
                .ifPresent(level -> namespace
                        .editMetadata()
                        .addToLabels(PodSecurity.ENFORCE_LABEL, level)
                        .endMetadata());
        return namespace.build();
    }

    /** The name of the NetworkPolicy in each user's namespace. */
    static final String NETWORK_POLICY = "emp-tenant";
    /** The label Kubernetes puts on every namespace, with the namespace's name. */
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    /**
     * The NetworkPolicy of a user's namespace: its pods are reached from their own namespace, EMP's (the server's
     * calls, and the gateway) and the ingress controller's, and reach their own namespace, EMP's (spans to Kafka and
     * the API) and DNS, nothing else. Another user's apps can neither call them nor be called by them.
     *
     * <p>With exposure LoadBalancer or NodePort, end users' traffic comes from outside the cluster through a node,
     * whose address no policy can name in advance: the apps' {@value #PORT_NAME} port is open to every source there.
     * Exposure Ingress is the one that keeps other namespaces out entirely.
     */
    NetworkPolicy networkPolicy(Names names) {
        NetworkPolicyBuilder policy = new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(NETWORK_POLICY)
                .withNamespace(names.namespace())
                .addToLabels(Labels.MANAGED_BY, Labels.EMP)
                .addToLabels(Labels.OWNER, names.ownerLabel())
                .addToAnnotations(Labels.OWNER_ANNOTATION, names.app().owner())
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .addNewIngress()
                .addNewFrom()
                .withNewPodSelector()
                .endPodSelector()
                .endFrom()
                .endIngress()
                .addNewIngress()
                .addToFrom(namespacePeer(config.empNamespace()))
                .endIngress()
                .addNewEgress()
                .addNewTo()
                .withNewPodSelector()
                .endPodSelector()
                .endTo()
                .endEgress()
                .addNewEgress()
                .addToTo(namespacePeer(config.empNamespace()))
                .endEgress()
                .addNewEgress()
                .addNewPort()
                .withProtocol("UDP")
                .withPort(new IntOrString(53))
                .endPort()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(53))
                .endPort()
                .endEgress()
                .endSpec();
        if (config.exposure() == Exposure.INGRESS) {
            if (config.ingressNamespace() != null) {
                policy.editSpec()
                        .addNewIngress()
                        .addToFrom(namespacePeer(config.ingressNamespace()))
                        .endIngress()
                        .endSpec();
            }
        } else {
            policy.editSpec()
                    .addNewIngress()
                    .addNewPort()
                    .withProtocol("TCP")
                    .withPort(new IntOrString(PORT_NAME))
                    .endPort()
                    .endIngress()
                    .endSpec();
        }
        return policy.build();
    }

    private static NetworkPolicyPeer namespacePeer(String namespace) {
        return new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector()
                .addToMatchLabels(NAMESPACE_NAME_LABEL, namespace)
                .endNamespaceSelector()
                .build();
    }

    /** The Deployment of a stateless app. */
    Deployment deployment(AppDeployment deployment) {
        Names names = names(deployment.app());
        return new DeploymentBuilder()
                .withMetadata(metadata(names))
                .withNewSpec()
                .withReplicas(deployment.replicas())
                .withNewSelector()
                .withMatchLabels(Labels.of(names))
                .endSelector()
                .withTemplate(podTemplate(deployment, names, false))
                .withRevisionHistoryLimit(3)
                // As on every cluster: the spec's rollout, by default a new replica ready before an old one goes.
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxSurge(intOrString(deployment.spec().effectiveRollout().effectiveMaxSurge()))
                .withMaxUnavailable(
                        intOrString(deployment.spec().effectiveRollout().effectiveMaxUnavailable()))
                .endRollingUpdate()
                .endStrategy()
                .endSpec()
                .build();
    }

    /** The StatefulSet of a stateful app, with one volume per replica that outlives the replica and the app. */
    StatefulSet statefulSet(AppDeployment deployment) {
        Names names = names(deployment.app());
        return new StatefulSetBuilder()
                .withMetadata(metadata(names))
                .withNewSpec()
                .withReplicas(deployment.replicas())
                .withServiceName(names.object())
                .withNewSelector()
                .withMatchLabels(Labels.of(names))
                .endSelector()
                .withTemplate(podTemplate(deployment, names, true))
                .withVolumeClaimTemplates(volumeClaim(names))
                .withPodManagementPolicy("Parallel")
                .withRevisionHistoryLimit(3)
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewPersistentVolumeClaimRetentionPolicy()
                .withWhenDeleted("Retain")
                .withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .endSpec()
                .build();
    }

    /**
     * The PodDisruptionBudget of an app with two replicas or more: a node drain or an upgrade takes at most one of
     * them away at a time, so the app keeps serving. One replica gets none, since a budget it could never meet would
     * block the drain for good.
     */
    PodDisruptionBudget disruptionBudget(Names names) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata(names))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(Labels.of(names))
                .endSelector()
                .endSpec()
                .build();
    }

    /** Whether an app of {@code replicas} gets a {@link #disruptionBudget}. */
    static boolean needsDisruptionBudget(int replicas) {
        return replicas >= 2;
    }

    /** The Service in front of the app's replicas; its type follows the configured exposure. */
    Service service(Names names) {
        String type = switch (config.exposure()) {
            case LOAD_BALANCER -> "LoadBalancer";
            case NODE_PORT -> "NodePort";
            case INGRESS -> "ClusterIP";
        };
        return new ServiceBuilder()
                .withMetadata(metadata(names))
                .withNewSpec()
                .withType(type)
                .withSelector(Labels.of(names))
                .addNewPort()
                .withName(PORT_NAME)
                .withProtocol("TCP")
                .withPort(SERVICE_PORT)
                .withTargetPort(new IntOrString(PORT_NAME))
                .endPort()
                .endSpec()
                .build();
    }

    /** The Ingress rule for {@code /{user}/{app}}, with exposure Ingress. */
    Ingress ingress(Names names) {
        return new IngressBuilder()
                .withMetadata(metadata(names))
                .withNewSpec()
                .withIngressClassName(config.ingressClass())
                .addNewRule()
                .withHost(config.ingressHost())
                .withNewHttp()
                .addNewPath()
                .withPath(names.ingressPath())
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(names.object())
                .withNewPort()
                .withNumber(SERVICE_PORT)
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec()
                .build();
    }

    /** What {@code <DEP>_URL} is set to in the apps that call {@code names}' app: its Service's cluster DNS name. */
    static URI internalUrl(Names names) {
        return URI.create(
                "http://" + names.object() + "." + names.namespace() + "." + CLUSTER_DOMAIN + ":" + SERVICE_PORT);
    }

    static int containerPort(AppSpec spec) {
        return spec.port() == null ? DEFAULT_CONTAINER_PORT : spec.port();
    }

    /** The replicas' environment, see {@link ContainerEnvironment}. */
    List<EnvVar> environment(AppDeployment deployment) {
        AppRef app = deployment.app();
        return ContainerEnvironment.of(
                deployment,
                names(app).secret(),
                config.kafkaAddress(),
                dependency -> internalUrl(names(new AppRef(app.owner(), dependency))),
                containerPort(deployment.spec()));
    }

    private ObjectMeta metadata(Names names) {
        return new ObjectMetaBuilder()
                .withName(names.object())
                .withNamespace(names.namespace())
                .withLabels(Labels.of(names))
                .withAnnotations(Labels.annotations(names))
                .build();
    }

    /**
     * The app's pods: {@link Labels#SECRETS_DIGEST} when it has secrets, and last {@link Labels#TEMPLATE_DIGEST}, a
     * digest of all the rest, which each pod keeps and {@link KubernetesClusterManager#status} compares with its
     * workload's to tell the pods a rollout replaces.
     */
    private PodTemplateSpec podTemplate(AppDeployment deployment, Names names, boolean stateful) {
        Map<String, String> annotations = Labels.annotations(names);
        if (!deployment.secrets().isEmpty()) {
            annotations.put(Labels.SECRETS_DIGEST, secretsDigest(deployment.secrets()));
        }
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(Labels.of(names))
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withContainers(container(deployment, stateful))
                .withSecurityContext(config.podSecurity().pod())
                // One Service per app would put a dozen variables per app into every replica; <DEP>_URL says it all.
                .withEnableServiceLinks(false)
                .endSpec()
                .build();
        String digest = templateDigest(template);
        return new PodTemplateSpecBuilder(template)
                .editMetadata()
                .addToAnnotations(Labels.TEMPLATE_DIGEST, digest)
                .endMetadata()
                .build();
    }

    /**
     * A digest of the template as EMP makes it, before the API server adds its defaults, over its JSON with sorted
     * keys: the same template always gives the same digest, whatever the order fabric8 writes fields in.
     */
    static String templateDigest(PodTemplateSpec template) {
        return digest(CANONICAL.writeValueAsString(CANONICAL.valueToTree(template)));
    }

    private static String digest(String input) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, DIGEST_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private Container container(AppDeployment deployment, boolean stateful) {
        AppSpec spec = deployment.spec();
        ContainerBuilder container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(spec.dockerImage())
                .addNewPort()
                .withName(PORT_NAME)
                .withContainerPort(containerPort(spec))
                .withProtocol("TCP")
                .endPort()
                .withEnv(environment(deployment))
                .withSecurityContext(config.podSecurity().container())
                .withReadinessProbe(probe(spec, 0, 5, 3))
                .withLivenessProbe(probe(spec, 10, 10, 6))
                .withStartupProbe(startupProbe(spec));
        ResourceRequirements resources = resources(spec.resources());
        if (resources != null) {
            container.withResources(resources);
        }
        if (stateful) {
            container
                    .addNewVolumeMount()
                    .withName(VOLUME)
                    .withMountPath(MOUNT_PATH)
                    .endVolumeMount();
        }
        return container.build();
    }

    /**
     * An HTTP GET of the health path when the spec names one; otherwise, as the local cluster takes any answer on
     * {@code /}, a TCP connection to the port.
     */
    private static Probe probe(AppSpec spec, int initialDelay, int period, int failures) {
        ProbeBuilder probe = new ProbeBuilder()
                .withInitialDelaySeconds(initialDelay)
                .withPeriodSeconds(period)
                .withTimeoutSeconds(2)
                .withFailureThreshold(failures);
        String path = spec.health() == null ? null : spec.health().path();
        if (path == null || path.isBlank()) {
            probe.withNewTcpSocket().withPort(new IntOrString(PORT_NAME)).endTcpSocket();
        } else {
            probe.withNewHttpGet()
                    .withPath(path.startsWith("/") ? path : "/" + path)
                    .withPort(new IntOrString(PORT_NAME))
                    .endHttpGet();
        }
        return probe.build();
    }

    /**
     * With a health path, a startup probe of it that gives the app up to {@value #STARTUP_SECONDS} seconds to answer
     * before the liveness probe starts counting: a slow starter (a JVM warming up, a migration) is not restarted
     * halfway through, and a fast one is ready as soon as it answers. Null without a health path.
     */
    private static Probe startupProbe(AppSpec spec) {
        String path = spec.health() == null ? null : spec.health().path();
        if (path == null || path.isBlank()) {
            return null;
        }
        return probe(spec, 0, 5, STARTUP_SECONDS / 5);
    }

    /** The spec's CPU and memory as both request and limit, so each replica gets exactly what was asked for. */
    private static ResourceRequirements resources(Resources resources) {
        if (resources == null || (resources.cpu() == null && resources.memory() == null)) {
            return null;
        }
        ResourceRequirementsBuilder builder = new ResourceRequirementsBuilder();
        if (resources.cpu() != null) {
            builder.addToRequests("cpu", new Quantity(resources.cpu()));
            builder.addToLimits("cpu", new Quantity(resources.cpu()));
        }
        if (resources.memory() != null) {
            builder.addToRequests("memory", new Quantity(resources.memory()));
            builder.addToLimits("memory", new Quantity(resources.memory()));
        }
        return builder.build();
    }

    private PersistentVolumeClaim volumeClaim(Names names) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(VOLUME)
                .withLabels(Labels.of(names))
                .withAnnotations(Labels.annotations(names))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(config.storageClass())
                .withNewResources()
                .addToRequests("storage", new Quantity(config.volumeSize()))
                .endResources()
                .endSpec()
                .build();
    }
}
