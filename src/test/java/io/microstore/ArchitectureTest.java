package io.microstore;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.microstore.store.QueryRefusal;
import io.microstore.store.Refusal;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Layering runs one way: api → store ← engines → persist. Calls flow api → store → engine → persist;
 * the engine port ({@code store.Engine}) is declared in store and implemented by an engine, so store
 * imports no engine. The etcd engine's client ({@code etcd.gateway}) knows etcd and nothing of ours.
 * {@code json}, {@code commit} (the commit the store, engines and persist share) and {@code threads} are
 * leaves that everyone may use; only {@code io.microstore} itself (Main, Settings, Startup) wires the
 * layers together. Within api, the services use the wire vocabulary, which knows nothing of them, and the
 * flood limits know nothing of the store or the services.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.microstore");
    /** Every engine package: the local writer and etcd. */
    private static final String[] ENGINES = {"io.microstore.local..", "io.microstore.etcd.."};
    /** The rooms of api: the services (the package itself), the wire vocabulary, the flood limits, access. */
    private static final String SERVICES = "io.microstore.api";

    private static final String WIRE = "io.microstore.api.wire..";
    private static final String LIMITS = "io.microstore.api.limits..";
    private static final String ACCESS = "io.microstore.api.access..";
    private static final String HTTP10 = "io.microstore.api.http10..";

    @Test
    void persistImportsNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.persist..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.microstore.store..",
                        "io.microstore.api..",
                        "io.microstore.observe..",
                        "io.microstore.local..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void storeImportsNoEngineNoFilesAndNoHttp() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.microstore.persist..", "io.microstore.api..", "io.microstore.observe..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void apiTalksOnlyToTheStore() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.microstore.persist..", "io.microstore.observe..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    /** The services parse with the wire vocabulary and call the store; the filters in front of them are Main's. */
    @Test
    void theServicesKnowNeitherTheLimitsNorTheAccessFilters() {
        noClasses()
                .that()
                .resideInAPackage(SERVICES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(LIMITS, ACCESS)
                .check(MAIN);
    }

    @Test
    void theWireVocabularyKnowsNothingOfTheServices() {
        noClasses()
                .that()
                .resideInAPackage(WIRE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(SERVICES, ACCESS)
                .check(MAIN);
    }

    @Test
    void theLimitsKnowNothingOfTheStoreOrTheServices() {
        noClasses()
                .that()
                .resideInAPackage(LIMITS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.microstore.store..", SERVICES, WIRE, ACCESS)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    /** HTTP/1.0 clients are a matter of a connection's bytes: the room knows the HTTP server and nothing of ours. */
    @Test
    void theHttp10RoomKnowsNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage(HTTP10)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.microstore.store..", SERVICES, WIRE, LIMITS, ACCESS)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    @Test
    void enginesDoNotKnowHttp() {
        noClasses()
                .that()
                .resideInAnyPackage(ENGINES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.microstore.api..", "io.microstore.observe..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    /** The etcd client speaks etcd and nothing of ours: no store, no engine, no HTTP API. */
    @Test
    void theEtcdGatewayClientKnowsNothingOfTheEngineOrTheStore() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.etcd.gateway..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.microstore.store..",
                        "io.microstore.api..",
                        "io.microstore.local..",
                        "io.microstore.persist..",
                        "io.microstore.observe..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.microstore.etcd")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.microstore")
                .check(MAIN);
    }

    /**
     * The selector is a library the store, the api and the feed share: it reads stored bytes with json and knows
     * nothing else of ours but the one refusal it throws (a sealed family only admits its own package).
     */
    @Test
    void theQueryLibraryUsesOnlyJsonAndCommit() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.store.query..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.microstore..")
                        .and(not(resideInAnyPackage(
                                "io.microstore.store.query..", "io.microstore.json..", "io.microstore.commit..")))
                        .and(not(type(Refusal.class)))
                        .and(not(type(QueryRefusal.class))))
                .check(MAIN);
    }

    @Test
    void jsonAndThreadsAreLeaves() {
        noClasses()
                .that()
                .resideInAnyPackage("io.microstore.json..", "io.microstore.threads..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.microstore.store..",
                        "io.microstore.api..",
                        "io.microstore.persist..",
                        "io.microstore.observe..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .check(MAIN);
    }

    @Test
    void commitIsALeafTheLayersShare() {
        noClasses()
                .that()
                .resideInAPackage("io.microstore.commit..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.microstore.store..",
                        "io.microstore.api..",
                        "io.microstore.persist..",
                        "io.microstore.observe..",
                        "io.microstore.json..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINES)
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.helidon..")
                .check(MAIN);
    }

    @Test
    void onlyTheTopPackageWiresTheLayers() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.microstore")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.microstore")
                .check(MAIN);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.microstore.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
