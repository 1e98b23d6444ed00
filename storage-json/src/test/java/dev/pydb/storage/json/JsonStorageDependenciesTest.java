package dev.pydb.storage.json;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The backend ships as a plugin: it may use the api, Jackson and SLF4J (which the server provides), the storage toolkit (which it bundles) and the JDK, nothing else. */
@AnalyzeClasses(packages = "dev.pydb.storage.json", importOptions = ImportOption.DoNotIncludeTests.class)
final class JsonStorageDependenciesTest {
    @ArchTest
    static final ArchRule ONLY_THE_API_AND_WHAT_THE_SERVER_SHARES = classes()
            .that().resideInAPackage("dev.pydb.storage.json..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("dev.pydb.storage.json..", "dev.pydb.api..", "dev.pydb.storage.toolkit..", "com.fasterxml.jackson..", "org.slf4j..", "java..");
}
