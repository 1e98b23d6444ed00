package dev.pydb.cli;

import dev.pydb.client.PydbClient;
import dev.pydb.client.PydbClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;

/**
 * The interactive {@code pydb-cli} shell: JLine line editing with history in
 * {@code ~/.pydb_cli_history}, the same commands as the one-shot mode (parsed by
 * {@link ShellLineParser}), {@code help} and {@code quit}. Connects once, before the first prompt.
 */
final class Shell {
    static final String HISTORY_FILE = ".pydb_cli_history";
    private static final String PROMPT = "pydb> ";
    /** JLine's mask for "echo nothing" (masked lines are not added to the history either). */
    private static final Character NO_ECHO = '\0';

    private Shell() {
    }

    /** Runs the shell on the system terminal until {@code quit} or end of input; returns the exit code. */
    static int run(PydbCli options, CliEnvironment environment) {
        Path history = Path.of(System.getProperty("user.home"), HISTORY_FILE);
        createPrivately(history);
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("pydb-cli")
                    .variable(LineReader.HISTORY_FILE, history)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            PrintWriter out = terminal.writer();
            CliEnvironment shellEnvironment = new CliEnvironment(out, out, environment.env(),
                    user -> Optional.ofNullable(reader.readLine("Password for " + user + ": ", NO_ECHO)));
            PydbClient client;
            try {
                client = PydbClient.connect(options.config(options.password(shellEnvironment.password())));
            } catch (PydbClientException e) {
                out.println("error: " + e.code() + ": " + e.getMessage());
                out.flush();
                return e.fromServer() ? PydbCli.EXIT_SERVER_ERROR : PydbCli.EXIT_CONNECTION;
            } catch (CommandLine.ParameterException | UserInterruptException | EndOfFileException e) {
                out.println("error: " + Optional.ofNullable(e.getMessage()).orElse("no password"));
                out.flush();
                return PydbCli.EXIT_USAGE;
            }
            try (client) {
                out.println("Connected to " + options.host + ":" + options.port
                        + (options.user != null ? " as " + options.user : "") + ". Type help for the commands, quit to leave.");
                loop(reader, out, client, shellEnvironment, options.compact());
            }
            return PydbCli.EXIT_OK;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        }
    }

    private static void loop(LineReader reader, PrintWriter out, PydbClient client, CliEnvironment environment,
            boolean compact) {
        while (true) {
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return;
            }
            if (execute(line, out, client, environment, compact) == Flow.QUIT) {
                return;
            }
        }
    }

    /** What the loop does after a line. */
    enum Flow { CONTINUE, QUIT }

    /** Runs one shell line: a command, {@code help} or {@code quit}. */
    static Flow execute(String line, PrintWriter out, PydbClient client, CliEnvironment environment, boolean compact) {
        List<String> words;
        try {
            words = ShellLineParser.parse(line);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.flush();
            return Flow.CONTINUE;
        }
        if (words.isEmpty()) {
            return Flow.CONTINUE;
        }
        String first = words.get(0).toLowerCase(Locale.ROOT);
        if (first.equals("quit") || first.equals("exit")) {
            return Flow.QUIT;
        }
        CommandLine commandLine = PydbCli.commandLine(PydbCli.forShell(environment, client, compact));
        if (first.equals("help") || first.equals("?")) {
            if (words.size() > 1 && commandLine.getSubcommands().containsKey(words.get(1))) {
                commandLine.getSubcommands().get(words.get(1)).usage(out);
            } else {
                printHelp(commandLine, out);
            }
            out.flush();
            return Flow.CONTINUE;
        }
        if (!commandLine.getSubcommands().containsKey(words.get(0))) {
            out.println("unknown command: " + words.get(0) + " (type help)");
            out.flush();
            return Flow.CONTINUE;
        }
        commandLine.execute(words.toArray(String[]::new));
        out.flush();
        return Flow.CONTINUE;
    }

    /** Creates the history file readable by its owner only (it holds documents); best effort. */
    private static void createPrivately(Path history) {
        if (Files.exists(history)) {
            return;
        }
        try {
            Files.createFile(history, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | UnsupportedOperationException e) {
            // JLine creates it with default permissions, or keeps the history in memory only
        }
    }

    private static void printHelp(CommandLine commandLine, PrintWriter out) {
        out.println("Commands (help <command> for its arguments):");
        commandLine.getSubcommands().forEach((name, sub) -> out.printf("  %-10s %s%n", name,
                String.join(" ", sub.getCommandSpec().usageMessage().description())));
        out.println("  help       this list");
        out.println("  quit       leave the shell (also exit, Ctrl-D)");
    }
}
