package emp.testsupport.mesos;

import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;
import static emp.testsupport.mesos.StandInMaster.VERSION;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The agents' HTTP endpoints: the files API ({@code /files/read}) over the sandboxes, and {@code /state} with the
 * agent's frameworks, executors and tasks.
 */
final class AgentEndpoints {
    private static final int FILES_READ_MAX = 16 * 4096;

    private final MasterState master;

    AgentEndpoints(MasterState master) {
        this.master = master;
    }

    void handleAgent(AgentEntry agent, LoopbackHttpServer.Request request, LoopbackHttpServer.Exchange exchange)
            throws IOException {
        switch (request.path()) {
            case "/files/read", "/files/read.json" -> readFile(agent, request, exchange);
            case "/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json" ->
                exchange.respond(
                        200,
                        Map.of("Content-Type", "application/json"),
                        agentState(agent).getBytes(StandardCharsets.UTF_8));
            default -> exchange.respond(404, Map.of(), new byte[0]);
        }
    }

    /** {@code GET /files/read?path=P&offset=O&length=L}, with the agent's answers. */
    private void readFile(AgentEntry agent, LoopbackHttpServer.Request request, LoopbackHttpServer.Exchange exchange)
            throws IOException {
        String path = request.query().get("path");
        if (path == null || path.isEmpty()) {
            exchange.respondText(400, "Expecting 'path=value' in query.\n");
            return;
        }
        long offset = -1;
        if (request.query().containsKey("offset")) {
            try {
                offset = Long.parseLong(request.query().get("offset"));
            } catch (NumberFormatException e) {
                exchange.respondText(
                        400,
                        "Failed to parse offset: Failed to convert '"
                                + request.query().get("offset") + "' to number.\n");
                return;
            }
            if (offset < -1) {
                exchange.respondText(400, "Negative offset provided: " + offset + ".\n");
                return;
            }
        }
        long length = -1;
        if (request.query().containsKey("length")) {
            try {
                length = Long.parseLong(request.query().get("length"));
            } catch (NumberFormatException e) {
                exchange.respondText(
                        400,
                        "Failed to parse length: Failed to convert '"
                                + request.query().get("length") + "' to number.\n");
                return;
            }
            if (length < -1) {
                exchange.respondText(400, "Negative length provided: " + length + ".\n");
                return;
            }
        }
        Optional<Path> file;
        synchronized (master.lock) {
            file = resolveFile(agent, path);
        }
        if (file.isEmpty() || !Files.exists(file.get())) {
            exchange.respond(404, Map.of(), new byte[0]);
            return;
        }
        if (Files.isDirectory(file.get())) {
            exchange.respondText(400, "Cannot read a directory.\n");
            return;
        }
        long size = Files.size(file.get());
        String data = "";
        long at = offset;
        if (offset == -1 || offset >= size) {
            at = size;
        } else {
            long wanted = Math.min(length == -1 ? FILES_READ_MAX : length, FILES_READ_MAX);
            int count = (int) Math.min(wanted, size - offset);
            byte[] bytes = new byte[count];
            try (RandomAccessFile reader = new RandomAccessFile(file.get().toFile(), "r")) {
                reader.seek(offset);
                reader.readFully(bytes);
            }
            data = new String(bytes, StandardCharsets.UTF_8);
        }
        exchange.respond(
                200,
                Map.of("Content-Type", "application/json"),
                ("{\"data\":" + MasterJson.jsonString(data) + ",\"offset\":" + at + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A path the agent serves: the virtual {@code /frameworks/F/executors/E/runs/latest/...} or a real path inside the
     * agent's folder.
     */
    private Optional<Path> resolveFile(AgentEntry agent, String path) {
        String[] parts = path.split("/");
        // "", "frameworks", F, "executors", E, "runs", "latest", rest...
        if (parts.length >= 7
                && parts[0].isEmpty()
                && parts[1].equals("frameworks")
                && parts[3].equals("executors")
                && parts[5].equals("runs")
                && parts[6].equals("latest")) {
            String containerId = agent.latestRuns.get(parts[2] + "/" + parts[4]);
            if (containerId == null) {
                return Optional.empty();
            }
            Path run = agent.dir
                    .resolve("frameworks")
                    .resolve(parts[2])
                    .resolve("executors")
                    .resolve(parts[4])
                    .resolve("runs")
                    .resolve(containerId);
            Path resolved = run;
            for (int i = 7; i < parts.length; i++) {
                if (!parts[i].isEmpty()) {
                    resolved = resolved.resolve(parts[i]);
                }
            }
            resolved = resolved.normalize();
            return resolved.startsWith(run) ? Optional.of(resolved) : Optional.empty();
        }
        Path real = Path.of(path).toAbsolutePath().normalize();
        return real.startsWith(agent.dir.resolve("frameworks")) ? Optional.of(real) : Optional.empty();
    }

    private String agentState(AgentEntry agent) {
        StringBuilder json = new StringBuilder();
        synchronized (master.lock) {
            json.append("{\"id\":")
                    .append(MasterJson.jsonString(agent.id))
                    .append(",\"hostname\":")
                    .append(MasterJson.jsonString(HOSTNAME))
                    .append(",\"pid\":")
                    .append(MasterJson.jsonString("slave(1)@" + HOSTNAME + ":" + agent.port))
                    .append(",\"version\":")
                    .append(MasterJson.jsonString(VERSION))
                    .append(",\"frameworks\":[");
            Map<String, Map<String, List<TaskEntry>>> byFramework = new LinkedHashMap<>();
            for (TaskEntry task : master.tasks) {
                if (task.agent == agent && !task.agentGone) {
                    byFramework
                            .computeIfAbsent(task.frameworkId, id -> new LinkedHashMap<>())
                            .computeIfAbsent(task.executorId + "\n" + task.containerId, id -> new ArrayList<>())
                            .add(task);
                }
            }
            boolean firstFramework = true;
            for (Map.Entry<String, Map<String, List<TaskEntry>>> framework : byFramework.entrySet()) {
                json.append(firstFramework ? "" : ",")
                        .append("{\"id\":")
                        .append(MasterJson.jsonString(framework.getKey()));
                firstFramework = false;
                StringBuilder live = new StringBuilder();
                StringBuilder completed = new StringBuilder();
                for (List<TaskEntry> run : framework.getValue().values()) {
                    TaskEntry first = run.get(0);
                    boolean done = run.stream().allMatch(task -> isTerminal(task.state));
                    StringBuilder target = done ? completed : live;
                    Path directory =
                            first.group != null ? first.sandbox.getParent().getParent() : first.sandbox;
                    target.append(target.length() == 0 ? "" : ",")
                            .append("{\"id\":")
                            .append(MasterJson.jsonString(first.executorId))
                            .append(",\"framework_id\":")
                            .append(MasterJson.jsonString(first.frameworkId))
                            .append(",\"container\":")
                            .append(MasterJson.jsonString(first.containerId))
                            .append(",\"directory\":")
                            .append(MasterJson.jsonString(directory.toString()))
                            .append(",\"tasks\":[")
                            .append(run.stream()
                                    .map(task -> "{\"id\":" + MasterJson.jsonString(task.taskId) + ",\"state\":"
                                            + MasterJson.jsonString(task.state.name()) + "}")
                                    .collect(Collectors.joining(",")))
                            .append("]}");
                }
                json.append(",\"executors\":[")
                        .append(live)
                        .append("],\"completed_executors\":[")
                        .append(completed)
                        .append("]}");
            }
            json.append("],\"completed_frameworks\":[]}");
        }
        return json.toString();
    }
}
