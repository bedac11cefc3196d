package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.JsonNodeFeature;

/**
 * The pod template of an app's Deployment or StatefulSet: its one container (image, port, environment, probes,
 * resources, security context, and a volume when stateful), and the digests that tell when its pods must be replaced.
 * Pure, as {@link AppObjects}, of which it is part.
 */
final class PodTemplates {
    /** Where a stateful app's volume is mounted. */
    static final String MOUNT_PATH = "/data";
    /** How long the startup probe waits for a first answer of the health path. */
    static final int STARTUP_SECONDS = 300;

    private static final ObjectMapper CANONICAL = Serialization.jsonMapper()
            .rebuild()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private final KubernetesClusterConfig config;
    private final SecretObjects secrets;

    PodTemplates(KubernetesClusterConfig config, SecretObjects secrets) {
        this.config = requireNonNull(config, "config is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    /**
     * The app's pods: {@link Labels#SECRETS_DIGEST} when it has secrets, and last {@link Labels#TEMPLATE_DIGEST}, a
     * digest of all the rest, which each pod keeps and {@link Workloads#status} compares with its workload's to tell
     * the pods a rollout replaces.
     */
    PodTemplateSpec podTemplate(AppDeployment deployment, Names names, boolean stateful) {
        Map<String, String> annotations = Labels.annotations(names);
        if (!deployment.secrets().isEmpty()) {
            annotations.put(Labels.SECRETS_DIGEST, secrets.digest(deployment.secrets()));
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
        return new PodTemplateSpecBuilder(template)
                .editMetadata()
                .addToAnnotations(Labels.TEMPLATE_DIGEST, templateDigest(template))
                .endMetadata()
                .build();
    }

    /**
     * A digest of the template as EMP makes it, before the API server adds its defaults, over its JSON with sorted
     * keys: the same template always gives the same digest, whatever the order fabric8 writes fields in.
     */
    static String templateDigest(PodTemplateSpec template) {
        return Names.sha256(CANONICAL.writeValueAsString(CANONICAL.valueToTree(template)), AppObjects.DIGEST_CHARS);
    }

    /** The replicas' environment, see {@link ContainerEnvironment}. */
    List<EnvVar> environment(AppDeployment deployment) {
        AppRef app = deployment.app();
        return ContainerEnvironment.of(
                deployment,
                Names.of(config.namespacePrefix(), app).secret(),
                config.kafkaAddress(),
                dependency ->
                        AppObjects.internalUrl(Names.of(config.namespacePrefix(), new AppRef(app.owner(), dependency))),
                containerPort(deployment.spec()));
    }

    private static int containerPort(AppSpec spec) {
        return spec.port() == null ? AppObjects.DEFAULT_CONTAINER_PORT : spec.port();
    }

    private Container container(AppDeployment deployment, boolean stateful) {
        AppSpec spec = deployment.spec();
        ContainerBuilder container = new ContainerBuilder()
                .withName(AppObjects.CONTAINER)
                .withImage(spec.dockerImage())
                .addNewPort()
                .withName(AppObjects.PORT_NAME)
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
                    .withName(AppObjects.VOLUME)
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
        String path = healthPath(spec);
        if (path == null) {
            probe.withNewTcpSocket()
                    .withPort(new IntOrString(AppObjects.PORT_NAME))
                    .endTcpSocket();
        } else {
            probe.withNewHttpGet()
                    .withPath(path.startsWith("/") ? path : "/" + path)
                    .withPort(new IntOrString(AppObjects.PORT_NAME))
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
        return healthPath(spec) == null ? null : probe(spec, 0, 5, STARTUP_SECONDS / 5);
    }

    /** The spec's health path, or null when it has none. */
    private static String healthPath(AppSpec spec) {
        String path = spec.health() == null ? null : spec.health().path();
        return path == null || path.isBlank() ? null : path;
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
}
