package dev.opsflow.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the deployment files live in, found from wherever the tests run. */
final class RepositoryRoot {
  private RepositoryRoot() {}

  static Path path() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("helm/opsflow/Chart.yaml"))
          && Files.isRegularFile(p.resolve("docker-compose.yml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no helm/opsflow/Chart.yaml above " + dir);
  }

  static Path resolve(String relative) {
    return path().resolve(relative);
  }
}
