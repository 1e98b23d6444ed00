package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.storage.Storage;
import dev.pydb.engine.dispatch.Services;
import dev.pydb.engine.stats.NodeAddress;
import dev.pydb.engine.stats.ServerInfo;
import dev.pydb.engine.stats.ServerStats;
import java.util.Map;

/**
 * STATS: {@code {"node", "uptime_seconds", "connections": {"open", "total", "refused",
 * "output_limit_disconnects", "incidents"}, "request_memory": {"limit_bytes", "used_bytes",
 * "peak_bytes", "waits", "refusals"}, "requests": {ACTION: n},
 * "errors": {ACTION: n}, "storage": {"provider"}, "databases": {db: count}, "plugins":
 * [{"name", "storage_providers", "actions"}]}}. {@code node} is the answering server's
 * {@code host:port} (many nodes may share one storage). Admin only.
 */
public final class StatsAction implements ActionHandler {
    @Override
    public String action() {
        return "STATS";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        ServerStats stats = Services.require(context, ServerStats.class);
        ServerInfo server = Services.require(context, ServerInfo.class);
        Storage storage = context.storage();

        ObjectNode result = context.json().createObjectNode();
        context.service(NodeAddress.class).ifPresent(node -> result.put("node", node.get()));
        result.put("uptime_seconds", stats.uptime().toSeconds());
        ObjectNode connections = result.putObject("connections");
        connections.put("open", stats.openConnections());
        connections.put("total", stats.totalConnections());
        connections.put("refused", stats.refusedConnections());
        connections.put("output_limit_disconnects", stats.outputLimitDisconnects());
        connections.put("incidents", stats.connectionIncidents());
        ObjectNode memory = result.putObject("request_memory");
        memory.put("limit_bytes", stats.memoryLimit());
        memory.put("used_bytes", stats.memoryUsed());
        memory.put("peak_bytes", stats.memoryPeak());
        memory.put("waits", stats.memoryWaits());
        memory.put("refusals", stats.memoryRefusals());
        putCounts(result.putObject("requests"), stats.requestsPerAction());
        putCounts(result.putObject("errors"), stats.errorsPerAction());
        result.putObject("storage").put("provider", server.storageProvider());
        ObjectNode databases = result.putObject("databases");
        for (String db : storage.listDatabases()) {
            try {
                databases.put(db, storage.count(db));
            } catch (PydbException e) {
                if (e.code() != ErrorCode.DB_NOT_FOUND) {
                    throw e;
                }
                // dropped since it was listed
            }
        }
        ArrayNode plugins = result.putArray("plugins");
        for (ServerInfo.PluginInfo plugin : server.plugins()) {
            ObjectNode node = plugins.addObject();
            node.put("name", plugin.name());
            plugin.storageProviders().forEach(node.putArray("storage_providers")::add);
            plugin.actions().forEach(node.putArray("actions")::add);
        }
        return result;
    }

    private static void putCounts(ObjectNode node, Map<String, Long> counts) {
        counts.forEach(node::put);
    }
}
