package dev.pydb.engine.logging;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.pydb.engine.config.LoggingConfig;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from the {@code logging} section, replacing the default {@code logback.xml}
 * (console, INFO) that applies until the environment file is read: the root level, a console
 * appender on stdout, and a rolling file (daily and at {@value #MAX_FILE_SIZE}, keeping
 * {@value #MAX_HISTORY} files, compressed) in a 0700 folder, each file 0600
 * ({@link OwnerOnlyRollingFileAppender}).
 */
public final class LogbackConfigurator {
    public static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
    public static final String MAX_FILE_SIZE = "50MB";
    public static final int MAX_HISTORY = 7;
    public static final String TOTAL_SIZE_CAP = "350MB";

    private LogbackConfigurator() {}

    /**
     * Applies {@code config}; a relative {@code logging.file} is resolved against {@code home}.
     * Does nothing (beyond a warning) if SLF4J is not bound to Logback.
     */
    public static void configure(LoggingConfig config, Path home) {
        requireNonNull(config, "config is null");
        requireNonNull(home, "home is null");
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            LoggerFactory.getLogger(LogbackConfigurator.class)
                    .warn("logging is not Logback ({}); the logging section is ignored", factory.getClass().getName());
            return;
        }
        context.reset();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(config.level(), Level.INFO));
        if (config.console()) {
            root.addAppender(console(context));
        }
        if (config.file() != null) {
            root.addAppender(rollingFile(context, home.resolve(config.file()).toAbsolutePath().normalize()));
        }
    }

    /** Flushes and stops logging; call last at shutdown. */
    public static void stop() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    private static Appender<ILoggingEvent> console(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setEncoder(encoder(context));
        appender.start();
        return appender;
    }

    private static Appender<ILoggingEvent> rollingFile(LoggerContext context, Path file) {
        RollingFileAppender<ILoggingEvent> appender = new OwnerOnlyRollingFileAppender();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(file.toString());
        appender.setEncoder(encoder(context));

        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(rolledName(file));
        policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
        policy.setMaxHistory(MAX_HISTORY);
        policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_CAP));
        policy.start();

        appender.setRollingPolicy(policy);
        appender.start();
        return appender;
    }

    /** {@code logs/py_db.log} rolls to {@code logs/py_db.2026-01-31.0.log.gz}. */
    static String rolledName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : ".log";
        return file.resolveSibling(stem + ".%d{yyyy-MM-dd}.%i" + extension + ".gz").toString();
    }

    private static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }
}
