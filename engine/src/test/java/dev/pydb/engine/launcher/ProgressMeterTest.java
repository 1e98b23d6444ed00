package dev.pydb.engine.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {
    private final AtomicLong nanos = new AtomicLong();
    private final StringWriter text = new StringWriter();

    @Test
    void the_line_shows_done_of_total_percent_rate_and_time_left() {
        ProgressMeter meter = new ProgressMeter("restore", new PrintWriter(text), true, nanos::get);
        meter.begin("documents", 1_000_000);
        nanos.set(10_000_000_000L);
        meter.advance(250_000);
        assertThat(meter.line(nanos.get())).isEqualTo("restore documents: 250,000 / 1,000,000 (25%), 25,000/s, 0:30 left");
        assertThat(text.toString()).isEqualTo("\r" + meter.line(nanos.get()) + "\u001b[K");
        meter.finish();
        assertThat(text.toString()).endsWith(System.lineSeparator());
    }

    @Test
    void without_a_terminal_a_line_is_written_every_five_seconds_only() {
        ProgressMeter meter = new ProgressMeter("verify", new PrintWriter(text), false, nanos::get);
        meter.begin("checksums", 10L << 20);
        nanos.set(1_000_000_000L);
        meter.advance(1 << 20);
        assertThat(text.toString()).isEmpty();
        nanos.set(5_000_000_000L);
        meter.advance(1 << 20);
        assertThat(text.toString()).contains("verify checksums: 2.0 MiB / 10.0 MiB (20%), 0.4 MiB/s, 0:20 left")
                .doesNotContain("\r");
        assertThat(text.toString().lines()).hasSize(1);
        meter.finish();
        assertThat(text.toString().lines()).hasSize(1);
    }
}
