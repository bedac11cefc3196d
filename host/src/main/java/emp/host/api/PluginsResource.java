package emp.host.api;

import emp.host.plugin.PluginInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.function.Supplier;

/** {@code /v1/plugins}: the loaded plugins, their extensions, and which are in use. */
@Path("/v1/plugins")
@Produces(MediaType.APPLICATION_JSON)
public final class PluginsResource {
    private final Supplier<List<PluginInfo>> plugins;

    PluginsResource(Supplier<List<PluginInfo>> plugins) {
        this.plugins = plugins;
    }

    @GET
    public List<PluginInfo> list() {
        return plugins.get();
    }
}
