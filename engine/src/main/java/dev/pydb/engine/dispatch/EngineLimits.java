package dev.pydb.engine.dispatch;

import dev.pydb.api.action.Limits;
import dev.pydb.engine.config.ServerConfig;

/** The limits actions honour, taken from the {@code server} section. */
public record EngineLimits(int maxDocumentBytes, int maxBatchOps, int maxFindLimit, int defaultFindLimit)
        implements Limits {
    public static final int DEFAULT_FIND_LIMIT = 100;
    public static final int MAX_FIND_LIMIT = 10_000;

    public EngineLimits {
        if (maxDocumentBytes <= 0 || maxBatchOps <= 0 || maxFindLimit <= 0 || defaultFindLimit <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (defaultFindLimit > maxFindLimit) {
            throw new IllegalArgumentException("defaultFindLimit must not exceed maxFindLimit");
        }
    }

    public static EngineLimits from(ServerConfig config) {
        return new EngineLimits(config.maxDocumentBytes(), config.maxBatchOps(), MAX_FIND_LIMIT, DEFAULT_FIND_LIMIT);
    }
}
