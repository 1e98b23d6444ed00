package dev.pydb.engine.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Builds the server's one {@link ObjectMapper}: hostile-input limits on every parse
 * ({@link StreamReadConstraints}), duplicate keys and trailing tokens rejected, and decimal
 * numbers kept exactly as sent ({@code 1.10} stays {@code 1.10}), so ids and documents round-trip.
 */
public final class JsonSupport {
    /** Deepest nesting of arrays and objects in one body (request or document). */
    public static final int MAX_NESTING_DEPTH = 100;
    /** Deepest nesting in a body from a connection that has not authenticated yet. */
    public static final int MAX_UNAUTHENTICATED_NESTING_DEPTH = 16;
    /** Longest number literal, in characters. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** Longest object field name, in characters. */
    public static final int MAX_NAME_LENGTH = 16 * 1024;
    /** Most tokens in one body; above what a 16 MiB frame of {@code [0,0,…]} holds. */
    public static final long MAX_TOKEN_COUNT = 10_000_000L;

    private JsonSupport() {}

    /**
     * A mapper for bodies of at most {@code maxLength} bytes (the frame limit): no string and no
     * document may be longer.
     */
    public static ObjectMapper mapper(int maxLength) {
        return mapper(maxLength, MAX_NESTING_DEPTH);
    }

    /**
     * The mapper for bodies from connections that have not authenticated yet: at most
     * {@code maxLength} bytes and {@value #MAX_UNAUTHENTICATED_NESTING_DEPTH} levels of nesting.
     */
    public static ObjectMapper unauthenticatedMapper(int maxLength) {
        return mapper(maxLength, MAX_UNAUTHENTICATED_NESTING_DEPTH);
    }

    private static ObjectMapper mapper(int maxLength, int maxNestingDepth) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive, was " + maxLength);
        }
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth)
                .maxStringLength(maxLength)
                .maxDocumentLength(maxLength)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxTokenCount(MAX_TOKEN_COUNT)
                .build();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }
}
