package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.TestServer;
import emp.host.auth.AuditLog;
import emp.spi.store.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers sharing a store follow the scheduler and trace source an operator chose through any of them. */
class PluginAdminTest {
    @TempDir
    Path dir;

    @Test
    void whatAnOperatorChoosesThroughOneServerIsTakenByTheOthers() {
        try (PluginHost plugins = loaded(new PluginHost(TestServer.pluginsDir()));
                StateStore store = TestServer.fileStore(plugins, dir)) {
            List<String> firstLoop = new CopyOnWriteArrayList<>();
            List<String> secondLoop = new CopyOnWriteArrayList<>();
            try (PluginAdmin first = admin(plugins, store, firstLoop, "none");
                    PluginAdmin second = admin(plugins, store, secondLoop, "none");
                    PluginAdmin otherConfig = admin(plugins, store, new CopyOnWriteArrayList<>(), "tracegraph")) {
                first.use("scheduler", "threshold", "root", "127.0.0.1");
                assertThat(firstLoop).containsExactly("scheduler threshold");

                second.follow();
                otherConfig.follow();

                assertThat(secondLoop).containsExactly("scheduler threshold");
                assertThat(second.active()).containsEntry(ExtensionPointKind.SCHEDULER, "threshold");
                assertThat(otherConfig.active())
                        .as("a server configured otherwise since keeps its own")
                        .containsEntry(ExtensionPointKind.SCHEDULER, "tracegraph");
                second.follow();
                assertThat(secondLoop).as("followed once").hasSize(1);
                assertThat(PluginAdmin.starting(store, ExtensionPointKind.SCHEDULER, "none"))
                        .isEqualTo("threshold");
                assertThat(PluginAdmin.starting(store, ExtensionPointKind.SCHEDULER, "tracegraph"))
                        .isEqualTo("tracegraph");
                assertThat(PluginAdmin.starting(store, ExtensionPointKind.TRACING, "http"))
                        .as("each point's choice is its own")
                        .isEqualTo("http");

                second.use("tracing", "none", "root", "127.0.0.1");
                first.follow();
                assertThat(firstLoop).containsExactly("scheduler threshold", "tracing none");
                assertThat(first.active()).containsEntry(ExtensionPointKind.TRACING, "none");
                assertThat(PluginAdmin.starting(store, ExtensionPointKind.TRACING, "http"))
                        .isEqualTo("none");
            }
        }
    }

    private static PluginHost loaded(PluginHost plugins) {
        plugins.load();
        return plugins;
    }

    private static PluginAdmin admin(PluginHost plugins, StateStore store, List<String> loop, String configured) {
        PluginAdmin admin = new PluginAdmin(
                plugins,
                store,
                new AuditLog(store, Clock.systemUTC(), 100),
                Map.of(ExtensionPointKind.SCHEDULER, configured, ExtensionPointKind.TRACING, "http"),
                Map.of(ExtensionPointKind.SCHEDULER, configured, ExtensionPointKind.TRACING, "http"));
        admin.attach(Map.of(
                ExtensionPointKind.SCHEDULER, recording("scheduler", loop),
                ExtensionPointKind.TRACING, recording("tracing", loop)));
        return admin;
    }

    /** A point that records what it is told to use, as {@code "<point> <name>"}. */
    private static HotSwap recording(String point, List<String> used) {
        return new HotSwap() {
            @Override
            public void use(String name) {
                used.add(point + " " + name);
            }

            @Override
            public void pause() {}

            @Override
            public void resume(String name) {
                use(name);
            }
        };
    }
}
