package dev.pydb.storage.json;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.storage.StorageMetrics;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.toolkit.wal.ChannelOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Helpers of the json backend's tests. */
final class JsonTesting {
    private JsonTesting() {}

    static JsonStorage open(Path root) {
        return open(root, JsonStorageOptions.from(StorageOptions.empty()), ChannelOpener.DEFAULT);
    }

    static JsonStorage open(Path root, long compactAfterBytes) {
        return open(root, JsonStorageOptions.from(options(compactAfterBytes)), ChannelOpener.DEFAULT);
    }

    static JsonStorage open(Path root, JsonStorageOptions options, ChannelOpener channels) {
        return JsonStorage.open(root, options, StorageMetrics.NONE, channels);
    }

    static StorageOptions options(long compactAfterBytes) {
        return StorageOptions.of(JsonNodeFactory.instance.objectNode().put("compact_after_bytes", compactAfterBytes));
    }

    static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Copies the files of a storage while it runs: what a kill -9 (or a power loss after the last
     * sync) leaves. A crash stops every file at one moment; a copy reads them one after the other,
     * so it copies in the order that keeps that true for the json backend, whose checkpoints
     * write snapshots, then {@code checkpoint.json}, then delete segments: {@code checkpoint.json}
     * first, then the log, then the snapshots (each a consistent old or new file, as they are
     * replaced by rename). A file deleted meanwhile is skipped.
     */
    static Path crashImage(Path root, Path image) throws IOException {
        Files.createDirectories(image);
        copyIfPresent(root.resolve(CheckpointFile.FILE_NAME), image.resolve(CheckpointFile.FILE_NAME));
        for (String folder : List.of(JsonStorage.WAL_DIRECTORY, JsonStorage.DATABASES_DIRECTORY)) {
            copyTree(root.resolve(folder), image.resolve(folder));
        }
        return image;
    }

    private static void copyTree(Path directory, Path target) throws IOException {
        Files.createDirectories(target);
        List<Path> entries;
        try (Stream<Path> list = Files.list(directory)) {
            entries = list.toList();
        } catch (NoSuchFileException e) {
            return; // a dropped database's folder
        }
        for (Path entry : entries) {
            if (Files.isDirectory(entry)) {
                copyTree(entry, target.resolve(entry.getFileName().toString()));
            } else {
                copyIfPresent(entry, target.resolve(entry.getFileName().toString()));
            }
        }
    }

    private static void copyIfPresent(Path file, Path target) throws IOException {
        try {
            Files.copy(file, target);
        } catch (NoSuchFileException e) {
            // deleted meanwhile (a checkpointed segment, a temporary file)
        }
    }

    /** The write-ahead log's segment files in order. */
    static List<Path> segments(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(JsonStorage.WAL_DIRECTORY))) {
            return files.filter(f -> f.getFileName().toString().startsWith("wal-")).sorted().toList();
        }
    }

    static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ (1 << bit))).rewind();
            channel.write(one, offset);
        }
    }

    /**
     * Flips one bit inside the body of a document in the snapshot of a closed storage (close
     * checkpoints, so every document is there), keeping the file valid JSON: bit 0 of the first
     * letter of the body's first string value. Returns the offset changed.
     */
    static long flipOneBitOfDocument(Path root, String db, String key) throws IOException {
        Path snapshot = root.resolve(JsonStorage.DATABASES_DIRECTORY).resolve(db).resolve(SnapshotFile.FILE_NAME);
        byte[] bytes = Files.readAllBytes(snapshot);
        String text = new String(bytes, StandardCharsets.ISO_8859_1); // one char per byte: indexes are offsets
        int entry = text.indexOf("\"key\" : \"" + key + "\"");
        if (entry < 0) {
            throw new AssertionError("no document '" + key + "' in " + snapshot);
        }
        int doc = text.indexOf("\"doc\" : {", entry);
        int value = text.indexOf("\" : \"", doc + 9) + 5;
        char letter = text.charAt(value);
        if (letter < 'a' || letter > 'z') {
            throw new AssertionError("the body of '" + key + "' does not start with a string of letters: " + letter);
        }
        flipBit(snapshot, value, 0);
        return value;
    }

    /** Captures what {@code type}'s logger says. */
    static ListAppender<ILoggingEvent> captureLog(Class<?> type) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(type)).addAppender(appender);
        return appender;
    }

    static void stopCapturing(Class<?> type, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(type)).detachAppender(appender);
    }
}
