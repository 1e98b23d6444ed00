package dev.pydb.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one run: what was asked for, how many requests completed, the throughput and
 * the latency percentiles (milliseconds), and every error code with its count. Serialised as
 * the {@code --json} summary.
 */
record BenchSummary(
        String target,
        String host,
        int port,
        String db,
        int connections,
        int pipeline,
        String mix,
        @JsonProperty("value_bytes") int valueBytes,
        @JsonProperty("key_space") long keySpace,
        @JsonProperty("preloaded") long preloaded,
        long requests,
        long errors,
        @JsonProperty("error_codes") Map<String, Long> errorCodes,
        @JsonProperty("duration_seconds") double durationSeconds,
        @JsonProperty("requests_per_second") double requestsPerSecond,
        @JsonProperty("latency_ms") Latency latency) {

    BenchSummary {
        errorCodes = Map.copyOf(errorCodes);
    }

    /** Latency percentiles in milliseconds. */
    record Latency(double mean, double p50, double p99, @JsonProperty("p99_9") double p999, double max) {
    }

    /** The human-readable report. */
    String toText() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "====== %s (%s) ======%n", mix, target));
        text.append(String.format(Locale.ROOT, "  %d requests in %.2f s, %d connections, pipeline %d, %d-byte values, %d keys%n",
                requests, durationSeconds, connections, pipeline, valueBytes, keySpace));
        text.append(String.format(Locale.ROOT, "  throughput: %.1f requests per second%n", requestsPerSecond));
        text.append(String.format(Locale.ROOT, "  latency (ms): mean %.3f  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                latency.mean(), latency.p50(), latency.p99(), latency.p999(), latency.max()));
        text.append(String.format(Locale.ROOT, "  errors: %d%s%n", errors, errorCodes.isEmpty() ? "" : " " + errorCodes));
        return text.toString();
    }
}
