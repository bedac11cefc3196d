package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
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
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects that run one app, made from its deployment and the plugin's configuration. Pure: it reads
 * nothing and calls nothing, so what EMP writes can be checked field by field. Its parts: {@link PodTemplates} (the
 * pods' template) and {@link SecretObjects} (the app's Secret).
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
    /** The name of the app's container. */
    static final String CONTAINER = "app";

    /** The name of the app's container port, which its Service and probes use. */
    static final String PORT_NAME = "http";
    /** The name of a stateful app's volume claim template, and of the volume in its pods. */
    static final String VOLUME = "data";

    static final String CLUSTER_DOMAIN = "svc.cluster.local";

    /** How many hex digits of a SHA-256 the digest annotations keep. */
    static final int DIGEST_CHARS = 16;

    private final KubernetesClusterConfig config;
    private final SecretObjects secrets;
    private final PodTemplates templates;

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
        this.templates = new PodTemplates(config, secrets);
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
                .withTemplate(templates.podTemplate(deployment, names, false))
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
                .withTemplate(templates.podTemplate(deployment, names, true))
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

    /** The replicas' environment, see {@link ContainerEnvironment}. */
    List<EnvVar> environment(AppDeployment deployment) {
        return templates.environment(deployment);
    }

    private ObjectMeta metadata(Names names) {
        return new ObjectMetaBuilder()
                .withName(names.object())
                .withNamespace(names.namespace())
                .withLabels(Labels.of(names))
                .withAnnotations(Labels.annotations(names))
                .build();
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
