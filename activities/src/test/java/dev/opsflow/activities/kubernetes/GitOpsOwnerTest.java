package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GitOpsOwnerTest {
  @Test
  void noMarksNoOwner() {
    assertThat(GitOpsOwner.of(null, null)).isEmpty();
    assertThat(GitOpsOwner.of(Map.of("app", "web"), Map.of("note", "x"))).isEmpty();
  }

  @Test
  void aTrackingIdWithoutAColonIsTheApplicationName() {
    assertThat(GitOpsOwner.of(Map.of(), Map.of(GitOpsOwner.ARGO_TRACKING_ID, "orders")))
        .isEqualTo("Argo CD application orders");
  }

  @Test
  void aFreeTextAnnotationCannotForgeALine() {
    assertThat(
            GitOpsOwner.of(
                Map.of(), Map.of(GitOpsOwner.ARGO_TRACKING_ID, "orders\r\nINFO all good:x/y")))
        .isEqualTo("Argo CD application orders\\r\\nINFO all good");
    assertThat(
            GitOpsOwner.of(Map.of(), Map.of(GitOpsOwner.ARGO_TRACKING_ID, "o".repeat(200) + ":x")))
        .hasSizeLessThan(120);
  }

  @Test
  void fluxWithoutANamespaceLabelNamesTheObjectAlone() {
    assertThat(GitOpsOwner.of(Map.of("helm.toolkit.fluxcd.io/name", "orders"), Map.of()))
        .isEqualTo("Flux HelmRelease orders");
  }

  @Test
  void argoCdWinsOverFluxWhenBothLeftMarks() {
    assertThat(
            GitOpsOwner.of(
                Map.of(
                    GitOpsOwner.ARGO_INSTANCE,
                    "orders",
                    "kustomize.toolkit.fluxcd.io/name",
                    "apps"),
                Map.of()))
        .isEqualTo("Argo CD application orders");
  }
}
