package dev.pydb.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a suite only where a Docker engine answers, except on CI: with {@code CI=true} the suite
 * always runs, so a missing engine fails the build instead of skipping the suite.
 */
final class DockerRequired implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (isCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the Docker suites must run");
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine is available");
        }
        return ConditionEvaluationResult.disabled("no Docker engine answers: start one (e.g. `nohup dockerd &`) to run "
                + "the Docker suites; with CI=true they run and fail instead");
    }

    static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
