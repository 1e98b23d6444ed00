package dev.pydb.engine.launcher;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.StorageVerifier.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of a long job ({@code verify}, {@code backup}, {@code restore}) on stderr: on a
 * terminal one line redrawn at most every {@value #DRAW_MILLIS} ms (done of total, percent, rate,
 * time left); without a terminal one line every {@value #LOG_SECONDS} s. Phases come from
 * {@link #begin}; a phase named {@code checksums} counts bytes, any other documents or records.
 */
final class ProgressMeter implements Progress {
    static final long DRAW_MILLIS = 200;
    static final long LOG_SECONDS = 5;

    private final String job;
    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier nanos;
    private String phase = "";
    private long total = -1;
    private long done;
    private long phaseStart;
    private long lastShown;
    private boolean drawn;

    ProgressMeter(String job, PrintWriter out, boolean terminal, LongSupplier nanos) {
        this.job = requireNonNull(job, "job is null");
        this.out = requireNonNull(out, "out is null");
        this.terminal = terminal;
        this.nanos = requireNonNull(nanos, "nanos is null");
    }

    static ProgressMeter on(PrintWriter err, String job) {
        return new ProgressMeter(job, err, Terminal.isTerminal(), System::nanoTime);
    }

    @Override
    public synchronized void begin(String newPhase, long newTotal) {
        endLine();
        phase = newPhase == null ? "" : newPhase;
        total = newTotal;
        done = 0;
        phaseStart = nanos.getAsLong();
        lastShown = phaseStart;
    }

    @Override
    public synchronized void advance(long units) {
        done += units;
        long now = nanos.getAsLong();
        long every = terminal ? Duration.ofMillis(DRAW_MILLIS).toNanos() : Duration.ofSeconds(LOG_SECONDS).toNanos();
        if (now - lastShown >= every) {
            lastShown = now;
            show(now);
        }
    }

    /** Shows the final state of the phase and ends the terminal line. */
    synchronized void finish() {
        if (terminal && done > 0) {
            show(nanos.getAsLong());
        }
        endLine();
    }

    private void endLine() {
        if (terminal && drawn) {
            out.println();
            out.flush();
        }
        drawn = false;
    }

    private void show(long now) {
        String line = line(now);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            drawn = true;
        } else {
            out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
        }
        out.flush();
    }

    /** e.g. {@code restore documents: 120,000 / 1,000,000 (12%), 40,000/s, 0:22 left}. */
    synchronized String line(long now) {
        boolean bytes = phase.equals("checksums");
        double seconds = Math.max(1e-9, (now - phaseStart) / 1e9);
        double rate = done / seconds;
        StringBuilder line = new StringBuilder(job);
        if (!phase.isEmpty()) {
            line.append(' ').append(phase);
        }
        line.append(": ").append(amount(done, bytes));
        if (total >= 0) {
            line.append(" / ").append(amount(total, bytes));
            if (total > 0) {
                line.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)));
            }
        }
        line.append(", ").append(amount((long) rate, bytes)).append("/s");
        if (total > 0 && rate > 0 && done < total) {
            line.append(", ").append(duration((long) ((total - done) / rate))).append(" left");
        }
        return line.toString();
    }

    static String amount(long n, boolean bytes) {
        if (bytes) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
        }
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String duration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
