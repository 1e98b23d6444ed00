package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.action.ActionHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.slf4j.Logger;

/**
 * Builds plugin jars at test time: compiles Java sources against the api (and any extra jars)
 * with the system Java compiler and packs the classes and {@code META-INF/services} files into a jar.
 */
final class TestPluginJars {
    private final Path workDir;
    private int builds;

    TestPluginJars(Path workDir) {
        this.workDir = requireNonNull(workDir, "workDir is null");
    }

    /** Starts a jar that will be written to {@code jar}. */
    JarSpec jar(Path jar) {
        return new JarSpec(jar);
    }

    /** The sources, service files and class path of one jar. */
    final class JarSpec {
        private final Path jar;
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final Map<String, List<String>> services = new LinkedHashMap<>();
        private final List<Path> classPath = new ArrayList<>();
        private final Map<String, String> manifest = new LinkedHashMap<>();

        private JarSpec(Path jar) {
            this.jar = jar;
        }

        /** Adds the source of the class {@code className}. */
        JarSpec source(String className, String source) {
            sources.put(className, source);
            return this;
        }

        /** Lists {@code implementation} in {@code META-INF/services/<service>}. */
        JarSpec service(Class<?> service, String implementation) {
            services.computeIfAbsent(service.getName(), s -> new ArrayList<>()).add(implementation);
            return this;
        }

        /** Adds a main attribute to the jar's manifest (e.g. {@code Pydb-Api-Version}). */
        JarSpec manifestAttribute(String name, String value) {
            manifest.put(name, value);
            return this;
        }

        /** Compiles against {@code extraJar} as well (it is not packed into the jar). */
        JarSpec compiledAgainst(Path extraJar) {
            classPath.add(extraJar);
            return this;
        }

        Path build() {
            try {
                Path buildDir = Files.createDirectories(workDir.resolve("build-" + (++builds)));
                Path sourceDir = Files.createDirectories(buildDir.resolve("src"));
                Path classesDir = Files.createDirectories(buildDir.resolve("classes"));
                compile(sourceDir, classesDir);
                Files.createDirectories(jar.toAbsolutePath().getParent());
                writeJar(classesDir);
                return jar;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void compile(Path sourceDir, Path classesDir) throws IOException {
            List<String> files = new ArrayList<>();
            for (Map.Entry<String, String> source : sources.entrySet()) {
                Path file = sourceDir.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                files.add(file.toString());
            }
            List<String> arguments = new ArrayList<>(List.of("--release", "21", "-proc:none", "-nowarn",
                    "-d", classesDir.toString(), "-classpath", classPath()));
            arguments.addAll(files);
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) {
                throw new IllegalStateException("tests need a JDK with a Java compiler");
            }
            ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
            int status = compiler.run(null, OutputStream.nullOutputStream(), diagnostics, arguments.toArray(String[]::new));
            if (status != 0) {
                throw new AssertionError("test plugin sources do not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));
            }
        }

        private String classPath() {
            List<String> entries = new ArrayList<>();
            for (Class<?> type : List.of(ActionHandler.class, JsonNode.class, JsonParser.class, JsonProperty.class, Logger.class)) {
                entries.add(location(type).toString());
            }
            classPath.forEach(path -> entries.add(path.toString()));
            return String.join(java.io.File.pathSeparator, entries);
        }

        private void writeJar(Path classesDir) throws IOException {
            java.util.jar.Manifest jarManifest = new java.util.jar.Manifest();
            jarManifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.forEach((name, value) -> jarManifest.getMainAttributes().putValue(name, value));
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), jarManifest);
                    Stream<Path> files = Files.walk(classesDir)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classesDir.relativize(file).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
                for (Map.Entry<String, List<String>> service : services.entrySet()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
                    out.write((String.join("\n", service.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
        }
    }

    /** The jar or folder {@code type} was loaded from. */
    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
