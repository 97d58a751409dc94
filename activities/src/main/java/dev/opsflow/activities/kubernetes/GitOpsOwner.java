package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.Printable;
import java.util.Map;

/**
 * The GitOps controller that owns an object, from the marks each one leaves on what it applies. A
 * change opsflow makes to such an object is reverted at the next sync, so the remediation escalates
 * to the owner instead. JDK only.
 *
 * <ul>
 *   <li>Argo CD: label {@code argocd.argoproj.io/instance} (label tracking), annotation {@code
 *       argocd.argoproj.io/tracking-id} ({@code <app>:<group>/<kind>:<namespace>/<name>},
 *       annotation tracking), or {@code app.kubernetes.io/instance} together with an {@code
 *       argocd.argoproj.io/} annotation (label tracking with the default key);
 *   <li>Flux: labels {@code kustomize.toolkit.fluxcd.io/name} and {@code
 *       helm.toolkit.fluxcd.io/name}, each with its {@code .../namespace}.
 * </ul>
 */
public final class GitOpsOwner {
  static final String ARGO_INSTANCE = "argocd.argoproj.io/instance";
  static final String ARGO_TRACKING_ID = "argocd.argoproj.io/tracking-id";
  static final String ARGO_PREFIX = "argocd.argoproj.io/";
  static final String APP_INSTANCE = "app.kubernetes.io/instance";
  static final String FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/";
  static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";

  private GitOpsOwner() {}

  /** e.g. "Argo CD application orders", "Flux HelmRelease apps/orders", or "" for none. */
  public static String of(Map<String, String> labels, Map<String, String> annotations) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    if (present(l.get(ARGO_INSTANCE))) {
      return "Argo CD application " + shown(l.get(ARGO_INSTANCE));
    }
    if (present(a.get(ARGO_TRACKING_ID))) {
      String id = a.get(ARGO_TRACKING_ID);
      int colon = id.indexOf(':');
      return "Argo CD application " + shown(colon > 0 ? id.substring(0, colon) : id);
    }
    if (present(l.get(APP_INSTANCE))
        && a.keySet().stream().anyMatch(k -> k.startsWith(ARGO_PREFIX))) {
      return "Argo CD application " + shown(l.get(APP_INSTANCE));
    }
    String flux = flux(l, FLUX_KUSTOMIZATION, "Kustomization");
    return flux.isEmpty() ? flux(l, FLUX_HELM, "HelmRelease") : flux;
  }

  private static String flux(Map<String, String> labels, String prefix, String kind) {
    String name = labels.get(prefix + "name");
    if (!present(name)) {
      return "";
    }
    String namespace = labels.get(prefix + "namespace");
    return "Flux " + kind + " " + (present(namespace) ? shown(namespace) + "/" : "") + shown(name);
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  /** Annotations are free text: escaped and cut before they reach an escalation message. */
  private static String shown(String value) {
    String cut =
        value.length() > Printable.SHOWN_CHARS
            ? value.substring(0, Printable.SHOWN_CHARS) + "..."
            : value;
    return Printable.escaped(cut);
  }
}
