package dev.pydb.storage.toolkit.wal;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Helpers of the log's tests. */
final class WalTesting {
    private WalTesting() {}

    static WalConfig.Builder config(Path directory) {
        return WalConfig.builder(directory, "test");
    }

    static WriteAheadLog open(Path directory, long after, RecordingBackend backend) {
        return WriteAheadLog.open(config(directory).build(), after, backend.replayInto());
    }

    static List<Path> segments(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> SegmentFormat.firstSequenceOf(f) >= 1).sorted().toList();
        }
    }

    /** Captures what the log's logger says. */
    static ListAppender<ILoggingEvent> captureLog() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(WriteAheadLog.class)).addAppender(appender);
        return appender;
    }

    static void stopCapturing(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(WriteAheadLog.class)).detachAppender(appender);
    }

    static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
