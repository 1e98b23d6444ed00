package dev.pydb.storage.lmdb;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** The command line of a fresh JVM running a test's main class with this JVM's java binary and class path. */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * {@code java [lmdbjava's --add-opens/--enable-native-access flags of this JVM] jvmOptions -cp
     * <this class path> main arguments}; without {@code withLmdbFlags} the flags are left out.
     */
    static List<String> command(boolean withLmdbFlags, List<String> jvmOptions, Class<?> main, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        if (withLmdbFlags) {
            for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (argument.startsWith("--add-opens") || argument.startsWith("--enable-native-access")) {
                    command.add(argument);
                }
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(arguments));
        return command;
    }
}
