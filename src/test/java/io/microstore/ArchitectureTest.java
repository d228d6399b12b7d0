package io.microstore;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Layering runs one way: api → store ← engines → persist. Calls flow api → store → engine → persist;
 * the engine port ({@code store.Engine}) is declared in store and implemented by an engine, so store
 * imports no engine. The etcd engine's client ({@code etcd.gateway}) knows etcd and nothing of ours.
 * {@code json} and {@code commit} (the commit the store, engines and persist share) are leaves that
 * everyone may use; only {@code io.microstore} itself (Main, Settings, Startup) wires the layers together.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.microstore");
    /** Every engine package: the local writer and etcd. */
    private static final String[] ENGINES = {"io.microstore.local..", "io.microstore.etcd.."};

    @Test
    void persistImportsNothingOfOurs() {
        noClasses().that().resideInAPackage("io.microstore.persist..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.store..", "io.microstore.api..",
                        "io.microstore.observe..", "io.microstore.local..")
                .orShould().dependOnClassesThat().resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void storeImportsNoEngineNoFilesAndNoHttp() {
        noClasses().that().resideInAPackage("io.microstore.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.persist..", "io.microstore.api..",
                        "io.microstore.observe..")
                .orShould().dependOnClassesThat().resideInAnyPackage(ENGINES)
                .orShould().dependOnClassesThat().resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void apiTalksOnlyToTheStore() {
        noClasses().that().resideInAPackage("io.microstore.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.persist..", "io.microstore.observe..")
                .orShould().dependOnClassesThat().resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    @Test
    void enginesDoNotKnowHttp() {
        noClasses().that().resideInAnyPackage(ENGINES)
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.api..", "io.microstore.observe..")
                .orShould().dependOnClassesThat().resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    /** The etcd client speaks etcd and nothing of ours: no store, no engine, no HTTP API. */
    @Test
    void theEtcdGatewayClientKnowsNothingOfTheEngineOrTheStore() {
        noClasses().that().resideInAPackage("io.microstore.etcd.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.store..", "io.microstore.api..",
                        "io.microstore.local..", "io.microstore.persist..", "io.microstore.observe..")
                .orShould().dependOnClassesThat().resideInAPackage("io.microstore.etcd")
                .orShould().dependOnClassesThat().resideInAPackage("io.microstore")
                .check(MAIN);
    }

    @Test
    void jsonIsALeaf() {
        noClasses().that().resideInAPackage("io.microstore.json..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.store..", "io.microstore.api..",
                        "io.microstore.persist..", "io.microstore.observe..")
                .orShould().dependOnClassesThat().resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    @Test
    void commitIsALeafTheLayersShare() {
        noClasses().that().resideInAPackage("io.microstore.commit..")
                .should().dependOnClassesThat().resideInAnyPackage("io.microstore.store..", "io.microstore.api..",
                        "io.microstore.persist..", "io.microstore.observe..", "io.microstore.json..")
                .orShould().dependOnClassesThat().resideInAnyPackage(ENGINES)
                .orShould().dependOnClassesThat().resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void onlyTheTopPackageWiresTheLayers() {
        noClasses().that().resideOutsideOfPackage("io.microstore")
                .should().dependOnClassesThat().resideInAPackage("io.microstore")
                .check(MAIN);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.microstore.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
