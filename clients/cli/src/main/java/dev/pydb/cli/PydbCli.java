package dev.pydb.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.client.Doc;
import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientConfig;
import dev.pydb.client.PydbClientException;
import dev.pydb.client.Query;
import java.io.Console;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pydb-cli}: one command per protocol action for scripts ({@code pydb-cli -u admin get shop
 * u1}), or an interactive shell when no command is given. Exit codes: 0 success, 1 the server
 * answered with an error (its code on stderr), 2 usage error, 3 connection failure or timeout.
 */
@Command(name = "pydb-cli", sortOptions = false, usageHelpAutoWidth = true,
        description = "Talk to a py_db server: run one command, or start a shell when no command is given.",
        footer = {"", "The password comes from PYDB_PASSWORD or is asked for without echo; it is never an argument.",
                "Exit codes: 0 ok, 1 server error (code on stderr), 2 usage error, 3 connection failure or timeout."})
public final class PydbCli implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_SERVER_ERROR = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONNECTION = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--host"}, defaultValue = "127.0.0.1", description = "server host (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "9440", description = "server port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-u", "--user"}, description = "log in as this user (password from PYDB_PASSWORD or a prompt)")
    String user;

    @Option(names = "--json", description = "compact JSON output (one line) instead of pretty-printed")
    boolean compact;

    @Option(names = "--timeout", defaultValue = "30", description = "seconds to wait for a response (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--help", usageHelp = true, description = "show this help and exit")
    boolean help;

    private final CliEnvironment environment;
    private final ShellFactory shells;
    private PydbClient client;

    PydbCli(CliEnvironment environment, ShellFactory shells) {
        this.environment = requireNonNull(environment, "environment is null");
        this.shells = requireNonNull(shells, "shells is null");
    }

    /** A command object for one line of the shell: shares the shell's connected client. */
    static PydbCli forShell(CliEnvironment environment, PydbClient client, boolean compact) {
        PydbCli cli = new PydbCli(environment, (parent, env) -> EXIT_USAGE);
        cli.client = requireNonNull(client, "client is null");
        cli.compact = compact;
        return cli;
    }

    public static void main(String[] args) {
        Console console = System.console();
        Charset charset = console != null ? console.charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
        CliEnvironment environment = new CliEnvironment(out, err, System.getenv(), PydbCli::askOnConsole);
        System.exit(run(args, environment, Shell::run));
    }

    /** Runs {@code pydb-cli args} and returns the exit code; the client is closed before returning. */
    static int run(String[] args, CliEnvironment environment, ShellFactory shells) {
        PydbCli cli = new PydbCli(environment, shells);
        try {
            return commandLine(cli).execute(args);
        } finally {
            cli.closeClient();
        }
    }

    /** The picocli command line for {@code cli}, writing to its environment and mapping errors to exit codes. */
    static CommandLine commandLine(PydbCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(cli.environment.out());
        commandLine.setErr(cli.environment.err());
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            if (exception instanceof PydbClientException failure) {
                line.getErr().println("error: " + failure.code() + ": " + failure.getMessage());
                return failure.fromServer() ? EXIT_SERVER_ERROR : EXIT_CONNECTION;
            }
            line.getErr().println("error: " + exception);
            return EXIT_SERVER_ERROR;
        });
        return commandLine;
    }

    /** No command: the interactive shell; its exit code. */
    @Override
    public Integer call() {
        return shells.start(this, environment);
    }

    // ---- commands ----

    @Command(name = "ping", description = "PING: check that the server answers")
    void ping() {
        print(client().call("PING", JSON.createObjectNode()));
    }

    @Command(name = "dbs", description = "LIST_DBS: the databases you may read")
    void dbs() {
        print(client().call("LIST_DBS", JSON.createObjectNode()));
    }

    @Command(name = "create-db", description = "CREATE_DB (admin)")
    void createDb(@Parameters(paramLabel = "<db>") String db) {
        print(client().call("CREATE_DB", JSON.createObjectNode().put("db", db)));
    }

    @Command(name = "drop-db", description = "DROP_DB (admin): drops the database and all its documents")
    void dropDb(@Parameters(paramLabel = "<db>") String db) {
        print(client().call("DROP_DB", JSON.createObjectNode().put("db", db)));
    }

    @Command(name = "get", description = "GET a document")
    void get(@Parameters(paramLabel = "<db>") String db, @Parameters(paramLabel = "<key>") String key) {
        print(client().call("GET", JSON.createObjectNode().put("db", db).put("key", key)));
    }

    @Command(name = "put", description = "PUT: create or replace a document (with --rev: compare-and-set, 0 = must not exist)")
    void put(@Parameters(paramLabel = "<db>") String db, @Parameters(paramLabel = "<key>") String key,
            @Parameters(paramLabel = "<json>", description = "the document, a JSON object") String doc,
            @Option(names = "--rev", description = "expected revision") Long rev) {
        ObjectNode request = JSON.createObjectNode().put("db", db).put("key", key);
        request.set("doc", object(doc, "<json>"));
        if (rev != null) {
            request.put("rev", rev);
        }
        print(client().call("PUT", request));
    }

    @Command(name = "insert", description = "INSERT a new document (a key is generated unless --key is given)")
    void insert(@Parameters(paramLabel = "<db>") String db,
            @Parameters(paramLabel = "<json>", description = "the document, a JSON object") String doc,
            @Option(names = "--key", description = "the key (must not exist)") String key) {
        ObjectNode request = JSON.createObjectNode().put("db", db);
        if (key != null) {
            request.put("key", key);
        }
        request.set("doc", object(doc, "<json>"));
        print(client().call("INSERT", request));
    }

    @Command(name = "update", description = "UPDATE: apply a JSON merge patch (RFC 7386) to a document")
    void update(@Parameters(paramLabel = "<db>") String db, @Parameters(paramLabel = "<key>") String key,
            @Parameters(paramLabel = "<patch>", description = "the merge patch, a JSON object") String patch,
            @Option(names = "--rev", description = "expected revision") Long rev) {
        ObjectNode request = JSON.createObjectNode().put("db", db).put("key", key);
        request.set("patch", object(patch, "<patch>"));
        if (rev != null) {
            request.put("rev", rev);
        }
        print(client().call("UPDATE", request));
    }

    @Command(name = "delete", description = "DELETE a document")
    void delete(@Parameters(paramLabel = "<db>") String db, @Parameters(paramLabel = "<key>") String key,
            @Option(names = "--rev", description = "expected revision") Long rev) {
        ObjectNode request = JSON.createObjectNode().put("db", db).put("key", key);
        if (rev != null) {
            request.put("rev", rev);
        }
        print(client().call("DELETE", request));
    }

    @Command(name = "find", description = "FIND one page of documents in key order (--all: every page)")
    void find(@Parameters(paramLabel = "<db>") String db,
            @Parameters(paramLabel = "<filter>", arity = "0..1", description = "a filter, a JSON object") String filter,
            @Option(names = "--limit", description = "page size (server default 100, at most 10000)") Integer limit,
            @Option(names = "--after", description = "start after this key (a page's next)") String after,
            @Option(names = "--all", description = "follow next and print every matching document as one array") boolean all) {
        Query query = Query.all();
        if (filter != null) {
            query = query.where(object(filter, "<filter>"));
        }
        if (limit != null) {
            query = query.limit(limit);
        }
        if (after != null) {
            query = query.after(after);
        }
        if (all) {
            ArrayNode docs = JSON.createArrayNode();
            for (Doc doc : client().findAll(db, query)) {
                docs.addObject().put("key", doc.key()).put("rev", doc.rev()).set("doc", doc.doc());
            }
            print(docs);
            return;
        }
        ObjectNode request = JSON.createObjectNode().put("db", db);
        query.filter().ifPresent(f -> request.set("filter", f));
        query.limit().ifPresent(l -> request.put("limit", l));
        query.after().ifPresent(a -> request.put("after", a));
        print(client().call("FIND", request));
    }

    @Command(name = "count", description = "COUNT the documents matching a filter")
    void count(@Parameters(paramLabel = "<db>") String db,
            @Parameters(paramLabel = "<filter>", arity = "0..1", description = "a filter, a JSON object") String filter) {
        ObjectNode request = JSON.createObjectNode().put("db", db);
        if (filter != null) {
            request.set("filter", object(filter, "<filter>"));
        }
        print(client().call("COUNT", request));
    }

    @Command(name = "batch", description = "BATCH: apply operations atomically, e.g. [{\"action\": \"PUT\", \"key\": \"k\", \"doc\": {}}]")
    void batch(@Parameters(paramLabel = "<db>") String db,
            @Parameters(paramLabel = "<ops-json>", description = "a JSON array of operations") String ops) {
        JsonNode parsed = parse(ops, "<ops-json>");
        if (!parsed.isArray()) {
            throw usage("<ops-json> must be a JSON array, got: " + ops);
        }
        ObjectNode request = JSON.createObjectNode().put("db", db);
        request.set("ops", parsed);
        print(client().call("BATCH", request));
    }

    @Command(name = "stats", description = "STATS (admin): uptime, connections, requests, documents per database")
    void stats() {
        print(client().call("STATS", JSON.createObjectNode()));
    }

    @Command(name = "call", description = "any action, e.g. a plugin's: call INCR '{\"db\": \"shop\", \"key\": \"c\", \"field\": \"n\"}'")
    void call(@Parameters(paramLabel = "<ACTION>") String action,
            @Parameters(paramLabel = "<fields-json>", arity = "0..1", description = "the request's other fields, a JSON object") String fields) {
        print(client().call(action, fields == null ? JSON.createObjectNode() : object(fields, "<fields-json>")));
    }

    // ---- helpers ----

    /** The connected client, connecting (and asking for the password) on first use. */
    PydbClient client() {
        if (client == null) {
            client = PydbClient.connect(config(password()));
        }
        return client;
    }

    /** The client configuration from the options; {@code password} is present exactly when {@code --user} is. */
    PydbClientConfig config(Optional<String> password) {
        PydbClientConfig.Builder builder = PydbClientConfig.builder(host, port)
                .poolSize(1)
                .requestTimeout(Duration.ofSeconds(Math.max(1, timeoutSeconds)))
                .connectTimeout(Duration.ofSeconds(Math.max(1, Math.min(timeoutSeconds, 10))));
        if (user != null) {
            builder.credentials(user, password.orElseThrow());
        }
        return builder.build();
    }

    /** The password for {@code --user}: {@code PYDB_PASSWORD}, else the prompt; empty without {@code --user}. */
    Optional<String> password() {
        return password(environment.password());
    }

    Optional<String> password(CliEnvironment.PasswordPrompt prompt) {
        if (user == null) {
            return Optional.empty();
        }
        String fromEnv = environment.env().get(CliEnvironment.PASSWORD_VARIABLE);
        if (fromEnv != null) {
            return Optional.of(fromEnv);
        }
        return Optional.of(prompt.ask(user).orElseThrow(() -> usage(
                "no password for " + user + ": set " + CliEnvironment.PASSWORD_VARIABLE + " or run in a terminal")));
    }

    boolean compact() {
        return compact;
    }

    void adoptClient(PydbClient connected) {
        this.client = requireNonNull(connected, "connected is null");
    }

    void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private void print(JsonNode result) {
        try {
            environment.out().println(compact ? JSON.writeValueAsString(result)
                    : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            environment.out().flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print a result: " + e.getOriginalMessage(), e);
        }
    }

    private ObjectNode object(String text, String label) {
        JsonNode parsed = parse(text, label);
        if (!(parsed instanceof ObjectNode object)) {
            throw usage(label + " must be a JSON object, got: " + text);
        }
        return object;
    }

    private JsonNode parse(String text, String label) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw usage(label + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw usage(label + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        CommandLine line = spec != null ? spec.commandLine() : new CommandLine(this);
        return new CommandLine.ParameterException(line, message);
    }

    private static Optional<String> askOnConsole(String username) {
        Console console = System.console();
        if (console == null) {
            return Optional.empty();
        }
        char[] password = console.readPassword("Password for %s: ", username);
        return password == null ? Optional.empty() : Optional.of(new String(password));
    }

    /** Starts the interactive shell for a parsed command line; returns its exit code. */
    @FunctionalInterface
    interface ShellFactory {
        int start(PydbCli options, CliEnvironment environment);
    }
}
