package dev.opsflow.workflows;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaCodeUnitAccess;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaConstructorReference;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Determinism checked on bytecode, transitively, as sdk-java's {@code temporal-workflowcheck} does
 * (which is not on Maven Central): starting from workflow code, it follows every method and
 * constructor call into our own classes ({@code dev.opsflow.*}) and reports each call into the
 * system clock, randomness, threads, I/O, a plain logger or non-final static state wherever it is
 * reached, with the chain of calls that reaches it.
 *
 * <p>It stops at the SDK ({@code io.temporal.*}), the JDK and other libraries, checking only the
 * calls into them. A call to an interface method without a body (an activity stub) is not followed:
 * activity implementations run outside the workflow and may do I/O. An object our code constructs
 * escapes to code not followed here (the SDK's data converter, collections calling {@code equals}),
 * so constructing one of our classes reaches all of its instance methods; touching a class reaches
 * its static initializer. Calls made in a lambda body count as calls of the method that declares
 * the lambda. Not seen: a call through a supertype reaches the method of the declared type only,
 * not the overrides of subclasses outside workflow code, and reflection is not followed.
 */
final class DeterminismCheck {
  /** The package prefix of code that is followed, not only checked at the call site. */
  static final String OURS = "dev.opsflow.";

  static final DescribedPredicate<JavaClass> IMPLEMENTS_A_WORKFLOW_INTERFACE =
      DescribedPredicate.describe(
          "implements a @WorkflowInterface",
          c ->
              !c.isInterface()
                  && c.getAllRawInterfaces().stream()
                      .anyMatch(i -> i.isAnnotatedWith("io.temporal.workflow.WorkflowInterface")));

  /** One forbidden call, the way workflow code reaches it, and what to use instead. */
  record Violation(List<String> chain, String location, String advice) {
    /** The chain as one line: {@code Impl.run -> ReplicaCeiling.desired -> System.nanoTime}. */
    String path() {
      return String.join(" -> ", chain);
    }

    @Override
    public String toString() {
      return path() + " " + location + ": " + advice;
    }
  }

  /** The calls workflow code must not make, each with the deterministic alternative. */
  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "reads the system clock: use Workflow.currentTimeMillis()",
              t ->
                  isMember(t, "java.lang.System", "currentTimeMillis", "nanoTime")
                      || (t.getOwner().getPackageName().equals("java.time")
                          && t.getName().equals("now"))
                      || isOwner(t, "java.time.Clock", "java.time.InstantSource")),
          new Rule(
              "is random: use Workflow.randomUUID() or Workflow.newRandom()",
              t ->
                  isMember(t, "java.util.UUID", "randomUUID")
                      || isMember(t, "java.util.Random", "<init>")
                      || isMember(t, "java.util.SplittableRandom", "<init>")
                      || isMember(t, "java.lang.Math", "random")
                      || isMember(t, "java.lang.StrictMath", "random")
                      || isOwner(
                          t,
                          "java.util.concurrent.ThreadLocalRandom",
                          "java.security.SecureRandom")),
          new Rule(
              "uses threads: use Workflow.sleep, Async and Promise",
              t ->
                  isOwner(
                      t,
                      "java.lang.Thread",
                      "java.lang.ThreadGroup",
                      "java.util.Timer",
                      "java.util.concurrent.Executor",
                      "java.util.concurrent.ExecutorService",
                      "java.util.concurrent.ScheduledExecutorService",
                      "java.util.concurrent.Executors",
                      "java.util.concurrent.ForkJoinPool",
                      "java.util.concurrent.CompletableFuture")),
          new Rule(
              "does I/O: it belongs in an activity, configuration reaches workflows as input",
              t ->
                  t.getOwner().getName().startsWith("java.io.File")
                      || inPackage(t, "java.nio.file")
                      || inPackage(t, "java.nio.channels")
                      || (inPackage(t, "java.net") && !isPureNetValue(t))
                      || inPackage(t, "java.sql")
                      || isOwner(t, "java.lang.ProcessBuilder", "java.lang.Runtime")
                      || isMember(
                          t,
                          "java.lang.System",
                          "getenv",
                          "getProperty",
                          "getProperties",
                          "setProperty",
                          "console",
                          "in",
                          "out",
                          "err")
                      || isMember(t, "java.lang.Integer", "getInteger")
                      || isMember(t, "java.lang.Long", "getLong")
                      || isMember(t, "java.lang.Boolean", "getBoolean")),
          new Rule(
              "logs on replay too: use Workflow.getLogger",
              t ->
                  isOwner(t, "org.slf4j.LoggerFactory")
                      || isMember(t, "java.util.logging.Logger", "getLogger")
                      || isMember(t, "java.lang.System", "getLogger")));

  private static final String MUTABLE_STATIC =
      "is non-final static state, shared by every run on the worker and lost on a restart: keep"
          + " it in the workflow instance";

  private final Predicate<JavaClass> workflowCode;

  /**
   * @param workflowCode the classes the walk starts from; all their methods, constructors and
   *     static initializers are entry points
   */
  DeterminismCheck(Predicate<JavaClass> workflowCode) {
    this.workflowCode = workflowCode;
  }

  /**
   * What one walk saw: where it started, which classes' code it read, and what it found.
   *
   * @param entryPoints the workflow classes among the imported ones
   * @param reached every class with at least one method, constructor or initializer the walk read
   * @param violations every forbidden use, once per calling method, called class and rule
   */
  record Report(List<JavaClass> entryPoints, Set<JavaClass> reached, List<Violation> violations) {}

  /** Walks {@code classes} from their workflow code. */
  Report check(JavaClasses classes) {
    List<JavaClass> entryPoints =
        classes.stream()
            .filter(workflowCode)
            .sorted(Comparator.comparing(JavaClass::getName))
            .toList();
    Walk walk = new Walk(entryPoints);
    List<Violation> violations = walk.run();
    Set<JavaClass> reached = new LinkedHashSet<>();
    walk.cameFrom.keySet().forEach(u -> reached.add(u.getOwner()));
    return new Report(entryPoints, reached, violations);
  }

  /** A breadth-first walk, so the chain recorded first for a violation is a shortest one. */
  private static final class Walk {
    private final List<JavaClass> roots;
    private final Map<JavaCodeUnit, JavaCodeUnit> cameFrom = new HashMap<>();
    private final Deque<JavaCodeUnit> queue = new ArrayDeque<>();
    private final Map<String, Violation> found = new LinkedHashMap<>();

    Walk(List<JavaClass> roots) {
      this.roots = roots;
    }

    List<Violation> run() {
      for (JavaClass root : roots) {
        root.getStaticInitializer().ifPresent(init -> reach(init, null));
        root.getCodeUnits().stream()
            .sorted(Comparator.comparing(JavaCodeUnit::getFullName))
            .forEach(u -> reach(u, null));
        for (JavaField field : root.getFields()) {
          if (isMutableStatic(field)) {
            found.put(
                field.getFullName(),
                new Violation(
                    List.of(shortName(root) + "." + field.getName()),
                    root.getSourceCodeLocation().toString(),
                    MUTABLE_STATIC));
          }
        }
      }
      while (!queue.isEmpty()) {
        JavaCodeUnit unit = queue.poll();
        unit.getAccessesFromSelf().stream()
            .sorted(
                Comparator.comparing((JavaAccess<?> a) -> a.getLineNumber())
                    .thenComparing(a -> a.getTarget().getFullName()))
            .forEach(access -> visit(unit, access));
      }
      return new ArrayList<>(found.values());
    }

    private void visit(JavaCodeUnit unit, JavaAccess<?> access) {
      AccessTarget target = access.getTarget();
      Optional<String> advice =
          RULES.stream().filter(r -> r.forbids(target)).map(Rule::advice).findFirst();
      if (advice.isEmpty() && access instanceof JavaFieldAccess fieldAccess) {
        // A mutable static declared in workflow code is reported at its declaration already.
        advice =
            fieldAccess
                .getTarget()
                .resolveMember()
                .filter(DeterminismCheck::isMutableStatic)
                .filter(f -> !roots.contains(f.getOwner()))
                .map(f -> MUTABLE_STATIC);
      }
      if (advice.isPresent()) {
        List<String> chain = chainTo(unit);
        chain.add(shortName(target.getOwner()) + "." + target.getName());
        // One report per method, class and rule: ThreadLocalRandom.current().nextLong() is one.
        found.putIfAbsent(
            unit.getFullName() + " -> " + target.getOwner().getName() + ": " + advice.get(),
            new Violation(chain, access.getSourceCodeLocation().toString(), advice.get()));
        return;
      }
      JavaClass owner = target.getOwner();
      if (!owner.getName().startsWith(OURS)) {
        return;
      }
      // Touching a class runs its static initializer.
      owner.getStaticInitializer().ifPresent(init -> reach(init, unit));
      if (access instanceof JavaCodeUnitAccess<?> call) {
        call.getTarget().resolveMember().ifPresent(member -> reach(member, unit));
      }
      if (access instanceof JavaConstructorCall || access instanceof JavaConstructorReference) {
        owner.getMethods().stream()
            .filter(m -> !m.getModifiers().contains(JavaModifier.STATIC))
            .sorted(Comparator.comparing(JavaCodeUnit::getFullName))
            .forEach(m -> reach(m, unit));
      }
    }

    private void reach(JavaCodeUnit unit, JavaCodeUnit from) {
      if (!cameFrom.containsKey(unit)) {
        cameFrom.put(unit, from);
        queue.add(unit);
      }
    }

    private List<String> chainTo(JavaCodeUnit unit) {
      List<String> chain = new ArrayList<>();
      for (JavaCodeUnit u = unit; u != null; u = cameFrom.get(u)) {
        chain.add(0, shortName(u.getOwner()) + "." + u.getName());
      }
      return chain;
    }
  }

  private record Rule(String advice, Predicate<AccessTarget> forbidden) {
    boolean forbids(AccessTarget target) {
      return forbidden.test(target);
    }
  }

  private static boolean isMutableStatic(JavaField field) {
    Set<JavaModifier> modifiers = field.getModifiers();
    return modifiers.contains(JavaModifier.STATIC) && !modifiers.contains(JavaModifier.FINAL);
  }

  /** URI and URL encoding are string functions: they never open a connection. */
  private static boolean isPureNetValue(AccessTarget target) {
    return isOwner(target, "java.net.URI", "java.net.URLEncoder", "java.net.URLDecoder");
  }

  private static boolean inPackage(AccessTarget target, String pkg) {
    String name = target.getOwner().getPackageName();
    return name.equals(pkg) || name.startsWith(pkg + ".");
  }

  private static boolean isOwner(AccessTarget target, String... owners) {
    return List.of(owners).contains(target.getOwner().getName());
  }

  private static boolean isMember(AccessTarget target, String owner, String... names) {
    return target.getOwner().getName().equals(owner) && List.of(names).contains(target.getName());
  }

  /** {@code ReplicaCeiling}, {@code Outer$Inner}: the class name without its package. */
  private static String shortName(JavaClass c) {
    String pkg = c.getPackageName();
    return pkg.isEmpty() ? c.getName() : c.getName().substring(pkg.length() + 1);
  }
}
