package dev.pydb.engine.launcher;

import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.config.LoggingConfig;
import dev.pydb.engine.logging.LogbackConfigurator;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** What the long-job subcommands share: the environment file (theirs, else the parent's) and console logging. */
abstract class OfflineCommand {
    @ParentCommand
    PydbMain parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-e", "--e-file"}, paramLabel = "PATH",
            description = "The environment file (default: " + PydbMain.DEFAULT_ENV_FILE + " under the home folder).")
    Path envFile;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Reads the environment file; logs WARN and above to the console only (not into the server's log file). */
    EnvConfig readEnv() {
        Path env = envFile != null ? envFile.toAbsolutePath().normalize() : parent.envFile();
        EnvConfig config = EnvConfigBinder.read(env);
        LogbackConfigurator.configure(new LoggingConfig("WARN", true, null), parent.home());
        return config;
    }
}
