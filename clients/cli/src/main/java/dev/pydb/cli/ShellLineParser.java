package dev.pydb.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell line into arguments: words separated by blanks; {@code '…'} and {@code "…"}
 * quote (a backslash escapes the next character inside double quotes); a word starting with
 * <code>{</code> or {@code [} is JSON and runs to its matching bracket, blanks and quoted strings
 * included, so {@code put shop u1 {"name": "Ann Lee"}} is four arguments.
 */
final class ShellLineParser {
    private ShellLineParser() {
    }

    /** The arguments of {@code line}; throws {@link IllegalArgumentException} for an open quote or bracket. */
    static List<String> parse(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '{' || c == '[') {
                int end = endOfJson(line, i);
                words.add(line.substring(i, end));
                i = end;
            } else {
                StringBuilder word = new StringBuilder();
                i = readWord(line, i, word);
                words.add(word.toString());
            }
        }
        return List.copyOf(words);
    }

    private static int readWord(String line, int start, StringBuilder word) {
        int i = start;
        int n = line.length();
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
            char c = line.charAt(i);
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed ' at column " + (i + 1));
                }
                word.append(line, i + 1, close);
                i = close + 1;
            } else if (c == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unclosed \" in: " + line.substring(start));
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                    i++;
                }
            } else {
                word.append(c);
                i++;
            }
        }
        return i;
    }

    private static int endOfJson(String line, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        throw new IllegalArgumentException("unclosed JSON starting at column " + (start + 1));
    }
}
