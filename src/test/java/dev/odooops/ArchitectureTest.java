package dev.odooops;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layering (docs/architecture.md, "Layers"): a package may use the packages of its own layer and of
 * the layers below, never one above; no two packages depend on each other in a cycle; the plain-Java layers import
 * no Camel. The root package (App, OpsRuntime: the composition root) sits above them all.
 */
@Tag("fast")
class ArchitectureTest {
    /** Bottom to top; packages on one line share a layer (and must still not form a cycle). */
    static final List<List<String>> LAYERS = List.of(
            List.of("domain"),
            List.of("config"),
            List.of("model"),
            List.of("exec", "postgres"),
            List.of("ops"),
            List.of("store"),
            List.of("odoo"),
            List.of("run"),
            List.of("backup"),
            List.of("restore"),
            List.of("staging"),
            List.of("drill"),
            List.of("app"),
            List.of("service", "demo"),
            List.of("cli"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.odooops");
    }

    private static String[] packages(List<String> names) {
        return names.stream().map(n -> "dev.odooops." + n + "..").toArray(String[]::new);
    }

    @Test
    void every_package_is_in_a_layer() {
        List<String> layered = LAYERS.stream().flatMap(List::stream).toList();
        List<String> unknown = classes.stream().map(c -> c.getPackageName())
                .filter(p -> p.startsWith("dev.odooops."))
                .map(p -> p.substring("dev.odooops.".length()).split("\\.")[0])
                .distinct().filter(p -> !layered.contains(p)).sorted().toList();
        assertTrue(unknown.isEmpty(), "packages in no layer of ArchitectureTest.LAYERS: " + unknown);
    }

    @Test
    void no_package_depends_on_a_higher_layer() {
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            List<String> higher = LAYERS.subList(i + 1, LAYERS.size()).stream().flatMap(List::stream).toList();
            EvaluationResult r = noClasses().that().resideInAnyPackage(packages(LAYERS.get(i)))
                    .should().dependOnClassesThat().resideInAnyPackage(packages(higher))
                    .because(LAYERS.get(i) + " sits below " + higher).evaluate(classes);
            violations.addAll(r.getFailureReport().getDetails());
        }
        assertTrue(violations.isEmpty(), violations.size() + " dependencies on a higher layer:\n"
                + String.join("\n", violations));
    }

    @Test
    void packages_are_free_of_cycles() {
        EvaluationResult r = slices().matching("dev.odooops.(*)..").should().beFreeOfCycles().evaluate(classes);
        assertTrue(!r.hasViolation(), String.join("\n", r.getFailureReport().getDetails()));
    }

    @Test
    void domain_and_model_import_no_camel() {
        EvaluationResult r = noClasses().that().resideInAnyPackage(packages(List.of("domain", "model")))
                .should().dependOnClassesThat().resideInAPackage("org.apache.camel..").evaluate(classes);
        assertTrue(!r.hasViolation(), String.join("\n", r.getFailureReport().getDetails()));
    }

    @Test
    void the_catalog_holds_its_aggregates_and_nothing_else() {
        EvaluationResult r = noClasses().that().haveFullyQualifiedName("dev.odooops.ops.OpsCatalog")
                .should().dependOnClassesThat().resideInAPackage("java.sql..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.odooops.ops.CatalogSql$Tx")
                .evaluate(classes);
        assertTrue(!r.hasViolation(), String.join("\n", r.getFailureReport().getDetails()));
    }
}
