package dev.opsflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile ships exactly what the starter build produces (the jar and every entry of its
 * manifest class path), runs it as the non-root user the chart expects, on the JRE the Jib profile
 * uses too.
 */
class ImageTest {
  private static final Path ROOT = RepositoryRoot.path();

  @Test
  void runtimeStageIsAPinnedJreRunningAsTheChartsNonRootUser() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> froms = lines(dockerfile, "^FROM (\\S+)");
    assertThat(froms).hasSize(2);
    String runtime = froms.get(1);
    assertThat(runtime).matches("eclipse-temurin:17\\.[0-9._]+-jre");
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertThat(pom).contains("<jre-base-image>" + runtime + "</jre-base-image>");
    assertThat(lines(dockerfile, "^USER (\\S+)")).containsExactly("10001:10001");
    assertThat(Files.readString(ROOT.resolve("helm/opsflow/templates/_helpers.tpl")))
        .contains("runAsUser: 10001");
    assertThat(dockerfile)
        .contains("ENTRYPOINT [\"java\"", "\"-jar\", \"/opt/opsflow/opsflow.jar\"");
  }

  @Test
  void copiesTheJarAndEveryClassPathEntryTheStarterBuildProduces() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> copies = lines(dockerfile, "^COPY --from=build /src/(\\S+) ");
    assertThat(copies)
        .containsExactlyInAnyOrder(
            "starter/target/lib/", "starter/target/opsflow.jar", "runbooks/");
    // The shipped runbooks, where runbooks.dir's default finds them in the image.
    assertThat(ROOT.resolve("runbooks")).isDirectory();
    assertThat(dockerfile).contains("COPY --from=build /src/runbooks/ /opt/opsflow/runbooks/");

    Path jar = ROOT.resolve("starter/target/opsflow.jar");
    assumeTrue(Files.isRegularFile(jar), "starter/target/opsflow.jar not built (run with -am)");
    try (JarFile file = new JarFile(jar.toFile())) {
      String classPath = file.getManifest().getMainAttributes().getValue("Class-Path");
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.opsflow.cli.OpsflowCommand");
      for (String entry : classPath.split(" ")) {
        assertThat(entry).startsWith("lib/");
        assertThat(ROOT.resolve("starter/target").resolve(entry)).as(entry).isRegularFile();
      }
    }
  }

  private static List<String> lines(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    return m.results().map(r -> r.group(1)).toList();
  }
}
