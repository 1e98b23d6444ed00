package dev.pydb.engine.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.transport.ClientTls;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pydb backup --to DIR}: asks the running server of the environment file (BACKUP, then
 * BACKUP_STATUS until it ends) to write a consistent point-in-time copy of its storage into DIR on
 * its machine, while it keeps serving writes. Logs in as {@code --user} (default {@code admin}) with
 * the password from {@code PYDB_PASSWORD}, else a prompt on a terminal, else the first line of
 * standard input. Exits 0 when the backup is complete, 1 when it failed, 2 when the server could
 * not be reached or refused the login.
 */
@Command(
        name = "backup",
        mixinStandardHelpOptions = true,
        description = "Has the running server write a consistent point-in-time backup of its storage into DIR (on the"
                + " server's machine) while it keeps serving. Exit 0: done, 1: the backup failed, 2: no server/login.")
final class BackupCommand extends OfflineCommand implements Callable<Integer> {
    static final int DONE = 0;
    static final int FAILED = 1;
    static final int NO_SERVER = 2;
    static final String PASSWORD_VARIABLE = "PYDB_PASSWORD";
    private static final long POLL_MILLIS = 250;

    @Option(names = "--to", required = true, paramLabel = "DIR",
            description = "The backup folder: absent or empty; a relative DIR is relative to the current folder.")
    Path to;

    @Option(names = {"-u", "--user"}, paramLabel = "NAME", defaultValue = "admin",
            description = "An admin user of the environment file (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--host", paramLabel = "HOST", description = "The server's address (default: server.host, or"
            + " 127.0.0.1 when that is a wildcard address).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "The server's port (default: server.port).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = err();
        EnvConfig env;
        SSLContext tls;
        try {
            env = readEnv();
            ServerConfig server = env.server();
            tls = server.tls().enabled() ? ClientTls.trustingServer(server.tls().resolvedAgainst(parent.home())) : null;
        } catch (ConfigException e) {
            err.println("backup: " + e.getMessage());
            return NO_SERVER;
        }
        String address = host != null ? host : connectHost(env.server().host());
        int serverPort = port != null ? port : env.server().port();
        ObjectMapper json = JsonSupport.mapper(env.server().maxQueryLength());
        Path folder = to.toAbsolutePath().normalize();
        try (WireClient client = WireClient.connect(address, serverPort, tls, json)) {
            String password = password();
            if (password == null) {
                err.println("backup: no password (set " + PASSWORD_VARIABLE + " or give it on standard input)");
                return NO_SERVER;
            }
            JsonNode login = client.call(json.createObjectNode().put("action", "LOGIN").put("username", user)
                    .put("password", password));
            if (!login.path("ok").asBoolean()) {
                err.println("backup: login as '" + user + "' failed: " + error(login));
                return NO_SERVER;
            }
            String token = login.path("result").path("token").asText();
            JsonNode started = client.call(request(json, "BACKUP", token).put("to", folder.toString()));
            if (!started.path("ok").asBoolean()) {
                err.println("backup: the server refused: " + error(started));
                return FAILED;
            }
            long id = started.path("result").path("backup").asLong();
            return follow(client, json, token, id, folder);
        } catch (IOException e) {
            err.println("backup: cannot talk to the server at " + address + ":" + serverPort + ": " + e.getMessage());
            return NO_SERVER;
        }
    }

    private int follow(WireClient client, ObjectMapper json, String token, long id, Path folder)
            throws IOException, InterruptedException {
        ProgressMeter meter = ProgressMeter.on(err(), "backup");
        long start = System.nanoTime();
        long shown = 0;
        boolean begun = false;
        while (true) {
            JsonNode response = client.call(request(json, "BACKUP_STATUS", token).put("backup", id));
            if (!response.path("ok").asBoolean()) {
                meter.finish();
                err().println("backup: BACKUP_STATUS failed: " + error(response));
                return FAILED;
            }
            JsonNode status = response.path("result");
            long total = status.path("documents_total").asLong(-1);
            long done = status.path("documents_done").asLong();
            if (!begun && total >= 0) {
                meter.begin("documents", total);
                begun = true;
            }
            if (begun && done > shown) {
                meter.advance(done - shown);
                shown = done;
            }
            String state = status.path("state").asText();
            if (!state.equals("RUNNING")) {
                meter.finish();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (state.equals("DONE")) {
                    out().println(String.format(Locale.ROOT, "backup %d: %,d databases, %,d documents into %s in"
                                    + " %.1f s", id, status.path("databases").asLong(), done, folder, seconds));
                    return DONE;
                }
                err().println("backup " + id + " failed: " + error(status) + " (" + folder
                        + " has no manifest: it is not a backup)");
                return FAILED;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static ObjectNode request(ObjectMapper json, String action, String token) {
        ObjectNode request = json.createObjectNode().put("action", action);
        request.putObject("auth").put("token", token);
        return request;
    }

    private static String error(JsonNode response) {
        JsonNode error = response.path("error");
        return error.path("code").asText("?") + ": " + error.path("message").asText("");
    }

    static String connectHost(String configured) {
        return switch (configured) {
            case "0.0.0.0", "", "*" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> configured;
        };
    }

    private String password() throws IOException {
        String fromEnvironment = System.getenv(PASSWORD_VARIABLE);
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        Console console = System.console();
        if (Terminal.isTerminal(console)) {
            char[] typed = console.readPassword("Password for %s: ", user);
            return typed == null ? null : new String(typed);
        }
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
}
