package dev.opsflow.workflows;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static dev.opsflow.workflows.DeterminismCheck.IMPLEMENTS_A_WORKFLOW_INTERFACE;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.opsflow.workflows.DeterminismCheck.Report;
import dev.opsflow.workflows.DeterminismCheck.Violation;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Workflow code and everything it calls in our own classes stay deterministic, checked on the
 * compiled bytecode (see {@link DeterminismCheck}). {@link WorkflowsStayDeterministicTest} greps
 * the workflow sources; this also sees what a helper, a record from the activities module or a
 * config class does when workflow code calls it.
 */
class WorkflowBytecodeStaysDeterministicTest {
  private static final String PLANTED = "dev.opsflow.workflows.planted";

  @Test
  void workflowCodeAndWhatItCallsUseNoClockRandomnessThreadsIoOrMutableStatics() {
    JavaClasses production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains(PLANTED.replace('.', '/')))
            .importPackages("dev.opsflow");
    DeterminismCheck check =
        new DeterminismCheck(
            IMPLEMENTS_A_WORKFLOW_INTERFACE.or(resideInAPackage("dev.opsflow.workflows..")));

    Report report = check.check(production);

    // Not green by emptiness: every registered workflow is an entry point, and the walk followed
    // workflow code into the records of the activities module.
    assertThat(report.entryPoints())
        .extracting(JavaClass::getName)
        .containsAll(WorkflowCatalog.IMPLEMENTATIONS.stream().map(Class::getName).toList())
        .noneMatch(name -> name.startsWith(PLANTED));
    assertThat(report.reached())
        .extracting(JavaClass::getPackageName)
        .anyMatch(name -> name.startsWith("dev.opsflow.activities"));
    assertThat(report.violations())
        .as(
            "non-deterministic calls reached from workflow code:%n%s",
            report.violations().stream()
                .map(Violation::toString)
                .collect(Collectors.joining(System.lineSeparator())))
        .isEmpty();
  }

  @Test
  void plantedClockRandomnessAndStaticStateAreReportedWithTheCallsThatReachThem() {
    JavaClasses planted = new ClassFileImporter().importPackages(PLANTED);
    DeterminismCheck check = new DeterminismCheck(IMPLEMENTS_A_WORKFLOW_INTERFACE);

    Report report = check.check(planted);

    assertThat(report.entryPoints())
        .extracting(JavaClass::getSimpleName)
        .containsExactly("CountingWorkflowImpl", "DeadlineWorkflowImpl");
    // RunbookActivitiesImpl reads a file and RetryDeadline.fromWallClock reads the clock, but no
    // workflow calls them: the first sits behind an activity stub, the second is never called.
    assertThat(report.violations())
        .extracting(Violation::path)
        .containsExactlyInAnyOrder(
            "CountingWorkflowImpl.started",
            "DeadlineWorkflowImpl.deadline -> RetryDeadline.after -> System.currentTimeMillis",
            "DeadlineWorkflowImpl.deadline -> RetryDeadline.after -> RetryDeadline.issued",
            "DeadlineWorkflowImpl.deadline -> WorkerBoot.<clinit> -> System.nanoTime",
            "DeadlineWorkflowImpl.deadline -> RetryDeadline.withJitter -> ThreadLocalRandom.current");
    assertThat(report.violations())
        .filteredOn(v -> v.path().endsWith("System.currentTimeMillis"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.location()).startsWith("(RetryDeadline.java:");
              assertThat(v.advice()).contains("Workflow.currentTimeMillis()");
            });
  }
}
