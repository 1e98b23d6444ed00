package dev.pydb.engine.plugin;

/** Java sources of small plugin classes that the loader tests compile into jars. */
final class TestPluginSources {
    private TestPluginSources() {}

    /**
     * An action handler in package {@code pkg} named {@code simpleName} for {@code action} whose
     * {@code handle} returns the text of {@code resultExpression}; {@code members} are added to the class.
     */
    static String handler(String pkg, String simpleName, String action, String resultExpression, String members) {
        return """
                package %s;

                import com.fasterxml.jackson.databind.JsonNode;
                import com.fasterxml.jackson.databind.node.JsonNodeFactory;
                import com.fasterxml.jackson.databind.node.ObjectNode;
                import dev.pydb.api.action.ActionHandler;
                import dev.pydb.api.action.Permission;
                import dev.pydb.api.action.RequestContext;

                public final class %s implements ActionHandler {
                    %s

                    @Override
                    public String action() {
                        return "%s";
                    }

                    @Override
                    public Permission permission() {
                        return Permission.NONE;
                    }

                    @Override
                    public JsonNode handle(RequestContext context, ObjectNode request) {
                        return JsonNodeFactory.instance.textNode(String.valueOf(%s));
                    }
                }
                """.formatted(pkg, simpleName, members, action, resultExpression);
    }

    static String handler(String pkg, String simpleName, String action, String resultExpression) {
        return handler(pkg, simpleName, action, resultExpression, "");
    }

    /** {@code com.example.lib.Version} whose {@code get()} returns {@code version}. */
    static String libraryVersion(String version) {
        return """
                package com.example.lib;

                public final class Version {
                    private Version() {}

                    public static String get() {
                        return "%s";
                    }
                }
                """.formatted(version);
    }

    /**
     * A storage provider named {@code name} whose storage reports, from {@code listDatabases()},
     * whether the context class loader during {@code open} and during the call was the plugin's
     * loader, and whose {@code close()} fails unless the context class loader is the plugin's.
     */
    static String contextCheckingStorageProvider(String pkg, String simpleName, String name) {
        return """
                package %1$s;

                import dev.pydb.api.storage.Document;
                import dev.pydb.api.storage.Storage;
                import dev.pydb.api.storage.StorageConfig;
                import dev.pydb.api.storage.StorageContext;
                import dev.pydb.api.storage.StorageProvider;
                import dev.pydb.api.storage.WriteOp;
                import dev.pydb.api.storage.WriteResult;
                import java.util.List;
                import java.util.Optional;

                public final class %2$s implements StorageProvider {
                    static boolean pluginLoaderIsContext() {
                        return Thread.currentThread().getContextClassLoader() == %2$s.class.getClassLoader();
                    }

                    @Override
                    public String name() {
                        return "%3$s";
                    }

                    @Override
                    public Storage open(StorageConfig config, StorageContext context) {
                        boolean duringOpen = pluginLoaderIsContext();
                        return new Storage() {
                            public void createDatabase(String db) { throw new UnsupportedOperationException(); }
                            public void dropDatabase(String db) { throw new UnsupportedOperationException(); }
                            public List<String> listDatabases() {
                                return List.of("open:" + duringOpen, "call:" + pluginLoaderIsContext());
                            }
                            public Optional<Document> get(String db, String key) { return Optional.empty(); }
                            public List<Document> scan(String db, String afterKey, int limit) { return List.of(); }
                            public long count(String db) { return 0; }
                            public List<WriteResult> write(String db, List<WriteOp> ops) { return List.of(); }
                            public void close() {
                                if (!pluginLoaderIsContext()) {
                                    throw new IllegalStateException("close() without the plugin's context class loader");
                                }
                            }
                        };
                    }
                }
                """.formatted(pkg, simpleName, name);
    }
}
