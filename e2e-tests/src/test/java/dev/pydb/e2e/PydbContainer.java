package dev.pydb.e2e;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A py_db container: the image with an environment file copied to
 * {@code /opt/pydb/conf/env.json}, started when PING answers PONG on the mapped port.
 */
final class PydbContainer extends GenericContainer<PydbContainer> {
    static final int PORT = 9440;
    private static final String HOME = "/opt/pydb";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    /** {@code envFile} {@code null}: none is copied, to test the image's refusal to start without one. */
    PydbContainer(String image, Path envFile) {
        super(DockerImageName.parse(image));
        if (envFile != null) {
            withCopyFileToContainer(MountableFile.forHostPath(envFile, 0644), HOME + "/conf/env.json");
        }
        withExposedPorts(PORT);
        waitingFor(new PingWaitStrategy().withStartupTimeout(STARTUP_TIMEOUT));
    }

    /** Mounts the named volume at {@code /opt/pydb/data}. */
    PydbContainer withDataVolume(String volume) {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withBinds(new Bind(volume, new Volume(HOME + "/data"))));
    }

    /** Copies a plugin jar to {@code /opt/pydb/plugins/<plugin>/}. */
    PydbContainer withPlugin(String plugin, Path jar) {
        return withCopyFileToContainer(MountableFile.forHostPath(jar, 0644),
                HOME + "/plugins/" + plugin + "/" + jar.getFileName());
    }

    /** For a container expected to exit by itself: no port, no readiness check. */
    PydbContainer expectingExit() {
        setExposedPorts(List.of());
        withStartupCheckStrategy(new StartupCheckStrategy() {
            @Override
            public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
                return StartupStatus.SUCCESSFUL;
            }
        });
        return waitingFor(new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {}
        });
    }

    RawWireClient connect() throws IOException {
        return RawWireClient.connect(getHost(), getMappedPort(PORT));
    }

    /** {@code docker stop} (SIGTERM, then SIGKILL after 30 s); returns the exit code. */
    int dockerStop() {
        DockerClient docker = getDockerClient();
        docker.stopContainerCmd(getContainerId()).withTimeout(30).exec();
        return exitCode();
    }

    /** Waits for the container to exit by itself; returns the exit code. */
    int awaitExit(Duration timeout) {
        return getDockerClient().waitContainerCmd(getContainerId()).start()
                .awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The health status reported by the image's HEALTHCHECK, e.g. {@code healthy}. */
    String healthStatus() {
        var health = getDockerClient().inspectContainerCmd(getContainerId()).exec().getState().getHealth();
        return health == null ? "none" : health.getStatus();
    }

    private int exitCode() {
        Long code = getDockerClient().inspectContainerCmd(getContainerId()).exec().getState().getExitCodeLong();
        return code == null ? -1 : code.intValue();
    }

    /** Ready when PING on the mapped port answers PONG; fails at once if the container stops. */
    private static final class PingWaitStrategy extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
            await("PING on the container's port " + PORT)
                    .atMost(startupTimeout)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .failFast("the container stopped during start", () -> !waitStrategyTarget.isRunning())
                    .until(() -> {
                        try (RawWireClient client = RawWireClient.connect(waitStrategyTarget.getHost(),
                                waitStrategyTarget.getMappedPort(PORT))) {
                            return "PONG".equals(client.ping());
                        }
                    });
        }
    }
}
