package dev.opsflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of issue 11 §5, on every module's production classes (the starter's tests
 * see them all): no package cycles; workflow code never depends on a client library; the HTTP and
 * CLI layers never depend on workflow implementations or on workflow-side code. Each rule is also
 * run on planted violations in test sources ({@code dev.opsflow.planted}, {@code
 * dev.opsflow.workflows.planted}, {@code dev.opsflow.starter.planted}, {@code
 * dev.opsflow.cli.planted}), so none of them is green because it checks nothing.
 */
class ArchitectureTest {
  /** Libraries that talk to a system: workflow code reaches systems through activities only. */
  static final List<String> CLIENT_LIBRARIES =
      List.of(
          "io.fabric8..",
          "org.apache.kafka..",
          "java.sql..",
          "javax.sql..",
          "org.postgresql..",
          "com.zaxxer..",
          "io.zonky..",
          "java.net.http..",
          "com.sun.net.httpserver..",
          "okhttp3..",
          "com.slack.api..",
          "io.javalin..",
          "org.eclipse.jetty..",
          "io.micrometer..",
          "picocli..");

  static final DescribedPredicate<JavaClass> WORKFLOW_IMPLEMENTATIONS =
      DescribedPredicate.describe(
          "workflow implementations (classes implementing a @WorkflowInterface or named *Impl,"
              + " and their nested classes)",
          c -> inWorkflows(c) && isWorkflowImplementation(outermost(c)));

  /**
   * Workflow-side code: classes that call the {@code io.temporal.workflow.Workflow} API, so they
   * can only run inside a workflow (the kernel's run, steps, gates and ladders, and the
   * procedures). Workflow interfaces and the records they carry do not call it, and remain allowed
   * until they move to a contracts module.
   */
  static final DescribedPredicate<JavaClass> WORKFLOW_SIDE_CODE =
      DescribedPredicate.describe(
          "workflow-side code (classes in dev.opsflow.workflows.. that call io.temporal.workflow.Workflow)",
          c ->
              inWorkflows(c)
                  && c.getDirectDependenciesFromSelf().stream()
                      .anyMatch(
                          d ->
                              d.getTargetClass()
                                  .getName()
                                  .equals("io.temporal.workflow.Workflow")));

  /** Between areas (starter, cli, workflows, ...); Maven already refuses cycles between modules. */
  static final ArchRule NO_CYCLES_BETWEEN_AREAS =
      slices().matching("dev.opsflow.(*)..").should().beFreeOfCycles();

  /**
   * Between the parts of an area (workflows.remediation, workflows.operator, ...), subpackages
   * included.
   */
  static final ArchRule NO_CYCLES_BETWEEN_PARTS =
      slices().matching("dev.opsflow.(*).(*)..").should().beFreeOfCycles();

  /** Between single packages. */
  static final ArchRule NO_CYCLES_BETWEEN_PACKAGES =
      slices().matching("dev.opsflow.(**)").should().beFreeOfCycles();

  static final ArchRule WORKFLOWS_USE_NO_CLIENT_LIBRARY =
      noClasses()
          .that()
          .resideInAPackage("dev.opsflow.workflows..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CLIENT_LIBRARIES.toArray(String[]::new))
          .because(
              "workflow code reaches Kubernetes, Kafka, databases and chat through activities");

  static final ArchRule HTTP_AND_CLI_USE_NO_WORKFLOW_IMPLEMENTATION =
      noClasses()
          .that()
          .resideInAnyPackage("dev.opsflow.starter..", "dev.opsflow.cli..")
          .should()
          .dependOnClassesThat(WORKFLOW_IMPLEMENTATIONS)
          .because("callers start and signal workflows through their interfaces");

  static final ArchRule HTTP_AND_CLI_USE_NO_WORKFLOW_SIDE_CODE =
      noClasses()
          .that()
          .resideInAnyPackage("dev.opsflow.starter..", "dev.opsflow.cli..")
          .should()
          .dependOnClassesThat(WORKFLOW_SIDE_CODE)
          .because("code that calls the Workflow API runs only inside a workflow");

  static final ArchRule CONTRACTS_DEPEND_ON_NOTHING_OF_OURS =
      noClasses()
          .that()
          .resideInAPackage("dev.opsflow.contracts..")
          .should()
          .dependOnClassesThat(
              DescribedPredicate.describe(
                  "opsflow classes outside dev.opsflow.contracts",
                  (JavaClass c) ->
                      c.getPackageName().startsWith("dev.opsflow.")
                          && !c.getPackageName().startsWith("dev.opsflow.contracts")))
          .because("every module may use the contracts, so they may use none of them");

  private static JavaClasses production;
  private static JavaClasses planted;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.opsflow");
    planted =
        new ClassFileImporter()
            .importPackages(
                "dev.opsflow.planted",
                "dev.opsflow.workflows.planted",
                "dev.opsflow.starter.planted",
                "dev.opsflow.cli.planted");
  }

  @Test
  void contractsDependOnNothingOfOurs() {
    CONTRACTS_DEPEND_ON_NOTHING_OF_OURS.check(production);
  }

  @Test
  void everyModuleIsImported() {
    assertThat(production.stream().map(JavaClass::getPackageName).distinct())
        .anyMatch(p -> p.startsWith("dev.opsflow.contracts"))
        .anyMatch(p -> p.startsWith("dev.opsflow.config"))
        .anyMatch(p -> p.startsWith("dev.opsflow.activities"))
        .anyMatch(p -> p.startsWith("dev.opsflow.workflows"))
        .anyMatch(p -> p.startsWith("dev.opsflow.worker"))
        .anyMatch(p -> p.startsWith("dev.opsflow.starter"))
        .anyMatch(p -> p.startsWith("dev.opsflow.cli"))
        .noneMatch(p -> p.contains(".planted"));
  }

  @Test
  void areasHaveNoCycles() {
    NO_CYCLES_BETWEEN_AREAS.check(production);
  }

  @Test
  void packagesHaveNoCycles() {
    NO_CYCLES_BETWEEN_PARTS.check(production);
    NO_CYCLES_BETWEEN_PACKAGES.check(production);
  }

  @Test
  void workflowCodeUsesNoClientLibrary() {
    WORKFLOWS_USE_NO_CLIENT_LIBRARY.check(production);
  }

  @Test
  void httpAndCliLayersUseNoWorkflowImplementation() {
    HTTP_AND_CLI_USE_NO_WORKFLOW_IMPLEMENTATION.check(production);
  }

  @Test
  void httpAndCliLayersUseNoWorkflowSideCode() {
    HTTP_AND_CLI_USE_NO_WORKFLOW_SIDE_CODE.check(production);
  }

  @Test
  void plantedCyclesAreReportedAtEveryLevelTheySpan() {
    // A REST handler and a CLI verb that use each other: a cycle between areas, and so between
    // their packages too.
    assertThat(violations(NO_CYCLES_BETWEEN_AREAS, planted))
        .singleElement()
        .asString()
        .contains("Slice starter", "Slice cli");
    // approval and operator use each other inside one area: only the finer rules see it.
    assertThat(violations(NO_CYCLES_BETWEEN_PARTS, planted))
        .hasSize(2)
        .anyMatch(
            d -> d.contains("Slice planted - approval") && d.contains("Slice planted - operator"))
        .anyMatch(d -> d.contains("Slice starter - planted") && d.contains("Slice cli - planted"));
    assertThat(violations(NO_CYCLES_BETWEEN_PACKAGES, planted))
        .hasSize(2)
        .anyMatch(d -> d.contains("Slice planted.approval") && d.contains("Slice planted.operator"))
        .anyMatch(d -> d.contains("Slice starter.planted") && d.contains("Slice cli.planted"));
  }

  @Test
  void aPlantedWorkflowHoldingAKafkaClientIsReported() {
    assertThat(violations(WORKFLOWS_USE_NO_CLIENT_LIBRARY, planted))
        .isNotEmpty()
        .allMatch(d -> d.contains("<dev.opsflow.workflows.planted.DirectKafkaLagCheck."))
        .anyMatch(d -> d.contains("<org.apache.kafka.clients.admin.Admin>"));
  }

  @Test
  void aPlantedHandlerRunningAWorkflowImplementationIsReportedButNotItsUseOfTheInterface() {
    assertThat(violations(HTTP_AND_CLI_USE_NO_WORKFLOW_IMPLEMENTATION, planted))
        .isNotEmpty()
        .allMatch(d -> d.startsWith("Method <dev.opsflow.starter.planted.LagEndpoint.check("))
        .allMatch(d -> d.contains("<dev.opsflow.workflows.planted.DirectKafkaLagCheck"));
  }

  @Test
  void aPlantedCommandCallingWorkflowSideCodeIsReported() {
    assertThat(violations(HTTP_AND_CLI_USE_NO_WORKFLOW_SIDE_CODE, planted))
        .singleElement()
        .asString()
        .startsWith("Method <dev.opsflow.cli.planted.LagCommand.since(")
        .contains("calls method <dev.opsflow.workflows.planted.StepTimer.elapsedSince(long)>");
  }

  private static boolean inWorkflows(JavaClass c) {
    return c.getPackageName().startsWith("dev.opsflow.workflows");
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer;
  }

  private static boolean isWorkflowImplementation(JavaClass c) {
    return !c.isInterface()
        && (c.getSimpleName().endsWith("Impl")
            || c.getAllRawInterfaces().stream()
                .anyMatch(i -> i.isAnnotatedWith("io.temporal.workflow.WorkflowInterface")));
  }

  static List<String> violations(ArchRule rule, JavaClasses classes) {
    EvaluationResult result = rule.evaluate(classes);
    return result.getFailureReport().getDetails();
  }
}
