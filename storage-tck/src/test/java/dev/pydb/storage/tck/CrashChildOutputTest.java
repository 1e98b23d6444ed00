package dev.pydb.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CrashChildOutput} against a real child JVM whose stdout lines are still in the pipe when
 * it is killed, because the reader lags behind it (as on a loaded machine).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CrashChildOutputTest {
    /** About 40 KB: more than the reader's buffer, less than a Linux pipe holds (64 KiB). */
    private static final int LINES = 4000;

    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch killed = new CountDownLatch(1);
    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void everyLineWrittenBeforeTheKillIsRead() throws Exception {
        CrashChildOutput output = startLaggingReader();

        output.kill(15);
        killed.countDown();
        output.awaitEnd(15);

        assertThat(received).containsExactlyElementsOf(IntStream.range(0, LINES).mapToObj(CrashLinesChild::line).toList());
    }

    @Test
    void aStreamClosedUnderTheReaderFailsInsteadOfLosingLinesSilently() throws Exception {
        CrashChildOutput output = startLaggingReader();

        child.destroyForcibly(); // Process#destroyForcibly also closes the child's stdout in this process
        child.waitFor(15, TimeUnit.SECONDS);
        killed.countDown();

        assertThatThrownBy(() -> output.awaitEnd(15))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("acknowledgements would be missing");
        assertThat(received.size()).isLessThan(LINES);
    }

    /** Starts the child and a reader that blocks on the first line until the child was killed; returns once all lines are written. */
    private CrashChildOutput startLaggingReader() throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashLinesChild.class.getName(),
                Integer.toString(LINES)).start();
        CrashChildOutput output = CrashChildOutput.start(child, "crash-child-output-test", line -> {
            received.add(line);
            try {
                killed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        BufferedReader stderr = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = stderr.readLine()) != null && !line.equals(CrashLinesChild.WRITTEN)) {
            // JVM warnings, if any
        }
        assertThat(line).as("the child's stderr").isEqualTo(CrashLinesChild.WRITTEN);
        return output;
    }
}
