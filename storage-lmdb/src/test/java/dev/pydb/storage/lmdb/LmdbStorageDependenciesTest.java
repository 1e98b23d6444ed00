package dev.pydb.storage.lmdb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The backend may ship as a plugin: it uses the api and SLF4J (which the server provides), lmdbjava and the storage toolkit (which it ships) and the JDK. */
@AnalyzeClasses(packages = "dev.pydb.storage.lmdb", importOptions = ImportOption.DoNotIncludeTests.class)
final class LmdbStorageDependenciesTest {
    @ArchTest
    static final ArchRule ONLY_THE_API_LMDBJAVA_AND_WHAT_THE_SERVER_SHARES = classes()
            .that().resideInAPackage("dev.pydb.storage.lmdb..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("dev.pydb.storage.lmdb..", "dev.pydb.api..", "dev.pydb.storage.toolkit..", "org.lmdbjava..", "org.slf4j..", "java..");
}
