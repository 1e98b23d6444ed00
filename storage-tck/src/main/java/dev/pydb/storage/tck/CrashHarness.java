package dev.pydb.storage.tck;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link CrashWriter} round in a child JVM (same {@code java}, class path and
 * {@code --add-opens}/{@code --enable-native-access} flags as this JVM), kills it with SIGKILL
 * a given time after its first acknowledged write, and returns what it acknowledged: every line
 * it wrote to stdout before it died ({@link CrashChildOutput}).
 */
final class CrashHarness {
    private static final long START_TIMEOUT_SECONDS = 15;

    private CrashHarness() {}

    /**
     * What a killed child acknowledged: rev per put key, the highest value per counter, the
     * databases whose creation returned, those whose drop had started, and those whose drop returned.
     */
    record Acks(Map<String, Long> puts, Map<String, Long> counters, Set<String> created, Set<String> dropping,
            Set<String> dropped, String stderr) {}

    /** Parses the child's lines; thread-safe. */
    private static final class AckCollector {
        private final Map<String, Long> puts = new HashMap<>();
        private final Map<String, Long> counters = new HashMap<>();
        private final Set<String> created = new HashSet<>();
        private final Set<String> dropping = new HashSet<>();
        private final Set<String> dropped = new HashSet<>();

        /** Records one line; true if it acknowledges a document write. */
        synchronized boolean accept(String line) {
            String[] parts = line.split(" ");
            if (parts.length == 2) {
                switch (parts[0]) {
                    case CrashWriter.CREATED -> created.add(parts[1]);
                    case CrashWriter.DROPPING -> dropping.add(parts[1]);
                    case CrashWriter.DROPPED -> dropped.add(parts[1]);
                    default -> { }
                }
                return false;
            }
            if (parts.length != 3 || !(parts[0].equals(CrashWriter.PUT) || parts[0].equals(CrashWriter.COUNTER))) {
                return false;
            }
            long value;
            try {
                value = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                return false;
            }
            if (parts[0].equals(CrashWriter.PUT)) {
                puts.put(parts[1], value);
            } else {
                counters.merge(parts[1], value, Math::max);
            }
            return true;
        }

        synchronized Acks toAcks(String stderr) {
            return new Acks(Map.copyOf(puts), Map.copyOf(counters), Set.copyOf(created), Set.copyOf(dropping),
                    Set.copyOf(dropped), stderr);
        }
    }

    static Acks runAndKill(String provider, Path storagePath, String optionsJson, List<String> extraJvmArguments, int round,
            long killAfterMillis, Path workDir) throws IOException, InterruptedException {
        requireNonNull(provider, "provider is null");
        Path stderrFile = workDir.resolve("crash-writer-" + round + ".stderr");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(
                () -> new IllegalStateException("cannot find the java binary of this JVM")));
        command.addAll(inheritedJvmFlags());
        command.addAll(extraJvmArguments);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashWriter.class.getName());
        command.add(provider);
        command.add(storagePath.toString());
        command.add(optionsJson);
        command.add(Integer.toString(round));
        Process process = new ProcessBuilder(command)
                .redirectError(stderrFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        AckCollector acks = new AckCollector();
        CountDownLatch firstAck = new CountDownLatch(1);
        CrashChildOutput output = CrashChildOutput.start(process, "crash-writer-reader-" + round, line -> {
            if (acks.accept(line)) {
                firstAck.countDown();
            }
        });
        process.onExit().thenRun(firstAck::countDown);
        try {
            if (!firstAck.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !process.isAlive()) {
                throw new AssertionError("the crash writer acknowledged no write within " + START_TIMEOUT_SECONDS
                        + " s or exited (" + (process.isAlive() ? "still running" : "exit status " + process.exitValue())
                        + "); its stderr:\n" + read(stderrFile));
            }
            if (process.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the crash writer exited by itself with status " + process.exitValue()
                        + "; its stderr:\n" + read(stderrFile));
            }
        } finally {
            output.kill(START_TIMEOUT_SECONDS);
        }
        // the acknowledgements still in the pipe when the child died count as much as those read before
        output.awaitEnd(START_TIMEOUT_SECONDS);
        return acks.toAcks(read(stderrFile));
    }

    /** The JVM flags a backend may need in the child: {@code --add-opens}, {@code --add-exports}, {@code --enable-native-access}, {@code -Dlmdbjava.*}. */
    static List<String> inheritedJvmFlags() {
        List<String> flags = new ArrayList<>();
        List<String> arguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.startsWith("-Dlmdbjava.")) {
                // where lmdbjava extracts or finds its native library: not a new file in /tmp per child
                flags.add(argument);
            }
            for (String flag : List.of("--add-opens", "--add-exports", "--enable-native-access")) {
                if (argument.startsWith(flag + "=")) {
                    flags.add(argument);
                } else if (argument.equals(flag) && i + 1 < arguments.size()) {
                    flags.add(argument);
                    flags.add(arguments.get(++i));
                }
            }
        }
        return List.copyOf(flags);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
