package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.function.Supplier;

/**
 * The API server as one started manager reaches it: the client, the {@link Applier} that writes through it, and the
 * one way every part calls it ({@link #call}), which runs with the plugin's class loader and turns each refusal into a
 * {@link emp.spi.PlatformException} ({@link KubernetesErrors}). Writes of an app's objects check {@link Ownership}
 * first, so that an object of the same name that is not EMP's is never changed or deleted.
 *
 * @param server the API server's URL, for messages
 */
record ClusterApi(KubernetesClient client, Applier applier, String server) {
    ClusterApi {
        requireNonNull(client, "client is null");
        requireNonNull(applier, "applier is null");
        requireNonNull(server, "server is null");
    }

    /** A client of the server {@code config} names; it calls nothing until used. */
    static ClusterApi connect(Config config) {
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
        return new ClusterApi(client, new Applier(client), config.getMasterUrl());
    }

    /** Calls the API server; any refusal becomes a {@link emp.spi.PlatformException} that says it {@code action}. */
    <T> T call(String action, Supplier<T> work) {
        try {
            return withPluginLoader(work);
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, action, server);
        }
    }

    /**
     * Runs {@code work} with the plugin's class loader as the thread's context loader: the client looks up model
     * classes through it, and another loader's copy of them (the caller's) is not the plugin's. Threads the client
     * starts meanwhile inherit it.
     */
    static <T> T withPluginLoader(Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader own = ClusterApi.class.getClassLoader();
        if (previous == own) {
            return work.get();
        }
        thread.setContextClassLoader(own);
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Applies {@code desired} unless an object of its kind and name exists that is not the app's. */
    <T extends HasMetadata> T applyOwned(T desired, Names names, String doing) {
        Ownership.require(client.resource(desired).get(), names, doing);
        return applier.apply(desired);
    }

    /** Deletes the object unless it is absent or not the app's (CONFLICT). */
    static void deleteOwned(Resource<? extends HasMetadata> resource, Names names, String doing) {
        HasMetadata live = resource.get();
        if (live != null) {
            Ownership.require(live, names, doing);
            resource.delete();
        }
    }

    /**
     * Deletes the object if it is the app's, and otherwise leaves it alone without complaint: for objects the app may
     * never have had, such as its Secret, whose name someone else may use for their own.
     */
    static void deleteIfOwned(Resource<? extends HasMetadata> resource, Names names) {
        HasMetadata live = resource.get();
        if (live != null && Ownership.owns(live, names)) {
            resource.delete();
        }
    }

    Resource<Deployment> deployment(Names names) {
        return client.apps().deployments().inNamespace(names.namespace()).withName(names.object());
    }

    Resource<StatefulSet> statefulSet(Names names) {
        return client.apps().statefulSets().inNamespace(names.namespace()).withName(names.object());
    }

    Resource<Service> service(Names names) {
        return client.services().inNamespace(names.namespace()).withName(names.object());
    }

    Resource<Ingress> ingress(Names names) {
        return client.network().v1().ingresses().inNamespace(names.namespace()).withName(names.object());
    }

    Resource<Secret> secret(Names names) {
        return client.secrets().inNamespace(names.namespace()).withName(names.secret());
    }

    Resource<PodDisruptionBudget> disruptionBudget(Names names) {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(names.namespace())
                .withName(names.object());
    }
}
