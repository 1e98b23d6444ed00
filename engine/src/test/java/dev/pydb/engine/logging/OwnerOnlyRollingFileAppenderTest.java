package dev.pydb.engine.logging;

import static dev.pydb.engine.logging.LogbackConfiguratorTest.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rolled log files are owner-only too: a rollover every second, until two have been compressed. */
class OwnerOnlyRollingFileAppenderTest {
    @TempDir
    Path home;

    @Test
    void rolled_and_compressed_files_become_0600() throws IOException {
        Path folder = home.resolve("logs");
        LoggerContext context = new LoggerContext();
        OwnerOnlyRollingFileAppender appender = new OwnerOnlyRollingFileAppender();
        appender.setContext(context);
        appender.setFile(folder.resolve("t.log").toString());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setEncoder(encoder);
        TimeBasedRollingPolicy<ILoggingEvent> policy = new TimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(folder.resolve("t.%d{yyyy-MM-dd_HH-mm-ss}.log.gz").toString());
        policy.start();
        appender.setRollingPolicy(policy);
        appender.start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                appender.doAppend(new LoggingEvent("test", context.getLogger("t"), ch.qos.logback.classic.Level.INFO,
                        "a line", null, null));
                return rolled(folder).size() >= 3;
            });
        } finally {
            appender.stop();
        }
        assertThat(mode(folder)).isEqualTo("rwx------");
        assertThat(mode(folder.resolve("t.log"))).isEqualTo("rw-------");
        // The first compressed file has seen two more rollovers since; the newest may still be being written.
        Path first = rolled(folder).get(0);
        assertThat(mode(first)).as("%s", first).isEqualTo("rw-------");
    }

    private static List<Path> rolled(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log.gz")).sorted().toList();
        }
    }
}
