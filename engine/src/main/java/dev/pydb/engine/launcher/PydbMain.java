package dev.pydb.engine.launcher;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ConfigException;
import dev.pydb.api.PydbException;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.logging.LogbackConfigurator;
import dev.pydb.engine.plugin.PluginLoadException;
import dev.pydb.engine.server.PydbServer;
import dev.pydb.engine.server.PydbVersion;
import dev.pydb.engine.server.ServerComponents;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code pydb} command: reads the environment file, configures logging, starts the server
 * and runs it until SIGTERM or SIGINT, then stops it gracefully and exits with 0. A start failure
 * prints one line to stderr and exits with 1; a usage error exits with 2.
 */
@Command(
        name = "pydb",
        mixinStandardHelpOptions = true,
        versionProvider = PydbMain.VersionProvider.class,
        subcommands = {HashPasswordCommand.class, VerifyCommand.class, BackupCommand.class, RestoreCommand.class},
        description = "Runs the py_db JSON document database server.",
        footer = "The home folder is the system property pydb.home (set by bin/pydb), else the current folder.")
public final class PydbMain implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final String HOME_PROPERTY = "pydb.home";
    public static final String DEFAULT_ENV_FILE = "conf/env.json";

    private static final Logger LOG = LoggerFactory.getLogger(PydbMain.class);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-e", "--e-file"}, paramLabel = "PATH",
            description = "The environment file (default: " + DEFAULT_ENV_FILE + " under the home folder);"
                    + " a relative PATH is relative to the current folder.")
    private Path envFile;

    @Option(names = {"-lid", "--load-initial-data"}, paramLabel = "PATH",
            description = "Load this initial-data file before listening: creates missing databases and inserts"
                    + " documents whose keys are absent (see docs/INITIAL_DATA.md); a relative PATH is relative to"
                    + " the current folder.")
    private Path initialData;

    private final ServerComponents components;
    private final Path home;
    private final Consumer<Runnable> stopSignals;

    /**
     * @param components  the server's parts
     * @param home        the home folder
     * @param stopSignals registers the action that stops the server (SIGTERM/SIGINT in production)
     */
    public PydbMain(ServerComponents components, Path home, Consumer<Runnable> stopSignals) {
        this.components = requireNonNull(components, "components is null");
        this.home = requireNonNull(home, "home is null");
        this.stopSignals = requireNonNull(stopSignals, "stopSignals is null");
    }

    public static void main(String[] args) {
        PydbMain main = new PydbMain(ServerComponents.production(Clock.systemUTC(), ServerComponents.DEFAULT_SHUTDOWN_GRACE), homeFolder(), ShutdownSignals::install);
        int exitCode = commandLine(main).execute(args);
        LogbackConfigurator.stop();
        System.exit(exitCode);
    }

    /** The picocli command line for {@code main}; exit codes 0 (ok, help, version), 1 (start failed), 2 (usage). */
    public static CommandLine commandLine(PydbMain main) {
        return new CommandLine(main);
    }

    @Override
    public Integer call() throws InterruptedException {
        PydbServer server;
        try {
            Path env = envFile != null ? envFile.toAbsolutePath().normalize() : home.resolve(DEFAULT_ENV_FILE);
            EnvConfig config = EnvConfigBinder.read(env);
            LogbackConfigurator.configure(config.logging(), home);
            server = PydbServer.start(config, home, components,
                    Optional.ofNullable(initialData).map(file -> file.toAbsolutePath().normalize()));
        } catch (ConfigException | StartupException | PluginLoadException | PydbException e) {
            return startFailed(e.getMessage(), e);
        } catch (RuntimeException e) {
            return startFailed("unexpected error: " + e, e);
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        stopSignals.accept(stopRequested::countDown);
        Thread shutdownHook = new Thread(server::close, "pydb-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        stopRequested.await();
        server.close();
        removeShutdownHook(shutdownHook);
        return EXIT_OK;
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the JVM is exiting; the hook finds the server closed
        }
    }

    private int startFailed(String message, RuntimeException e) {
        String line = "py_db cannot start: " + message.replace('\n', ' ');
        PrintWriter err = spec.commandLine().getErr();
        err.println(line);
        err.flush();
        LOG.error(line);
        LOG.debug("start failure", e);
        return EXIT_START_FAILED;
    }

    /** The server's parts (the plugins for the offline subcommands). */
    ServerComponents components() {
        return components;
    }

    /** The home folder. */
    Path home() {
        return home;
    }

    /** The environment file given with {@code -e}, else the default one under the home folder. */
    Path envFile() {
        return envFile != null ? envFile.toAbsolutePath().normalize() : home.resolve(DEFAULT_ENV_FILE);
    }

    /** The home folder: {@code -Dpydb.home}, else the current folder. */
    static Path homeFolder() {
        String property = System.getProperty(HOME_PROPERTY);
        return Path.of(property != null && !property.isBlank() ? property : "").toAbsolutePath().normalize();
    }

    /** {@code --version}: the version from {@code version.properties}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"py_db " + PydbVersion.current()};
        }
    }
}
