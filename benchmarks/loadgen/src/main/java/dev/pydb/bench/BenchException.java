package dev.pydb.bench;

/** A failure that ends a benchmark run with a message for the user (login refused, bad response, setup error). */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }
}
