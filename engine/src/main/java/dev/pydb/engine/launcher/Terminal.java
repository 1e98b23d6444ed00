package dev.pydb.engine.launcher;

import java.io.Console;

/** Whether standard input and output are a terminal (for prompts and redrawn progress lines). */
final class Terminal {
    private Terminal() {}

    static boolean isTerminal() {
        return isTerminal(System.console());
    }

    /**
     * Java 21 returns no console unless both ends are a terminal; Java 22+ may return one anyway
     * and tells with {@code Console.isTerminal()}, which a Java 21 build can only call reflectively.
     */
    static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
