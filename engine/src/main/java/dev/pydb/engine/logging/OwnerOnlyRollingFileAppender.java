package dev.pydb.engine.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import dev.pydb.engine.files.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A rolling file appender whose files are the owner's only: the log folder is created 0700 and
 * each active log file 0600 before Logback opens it (Logback itself would follow the umask). A
 * rolled file keeps the active file's mode when renamed; a compressed one, written by Logback in
 * the background, is set to 0600 at the next rollover and sits in the 0700 folder until then.
 */
final class OwnerOnlyRollingFileAppender extends RollingFileAppender<ILoggingEvent> {
    @Override
    public void openFile(String fileName) throws IOException {
        OwnerOnlyFiles.createFile(Path.of(fileName));
        super.openFile(fileName);
    }

    @Override
    public void rollover() {
        super.rollover();
        Path active = Path.of(getFile()).toAbsolutePath();
        String stem = stem(active.getFileName().toString());
        try (Stream<Path> siblings = Files.list(active.getParent())) {
            for (Path sibling : siblings.filter(p -> p.getFileName().toString().startsWith(stem)).toList()) {
                OwnerOnlyFiles.restrict(sibling);
            }
        } catch (IOException e) {
            addWarn("cannot make the rolled log files of " + active + " owner-only: " + e);
        }
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
