package dev.opsflow.workflows.remediation;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The episodes of one problem a run has seen: how many (what the status reports), and the ids of
 * the latest ones, so that a resend of an episode (Alertmanager group resends, HA pairs) is not
 * counted again. Only the latest {@link #RECENT} ids are kept, because a storm of per-pod alerts
 * can bring tens of thousands of episodes to one run and a resend comes soon after its first
 * notice; runs from before {@link RemediationRun#BOUNDED_HISTORY} keep every id, as they did.
 */
final class Episodes {
  /** How many episode ids are kept for telling resends apart. */
  static final int RECENT = 1_000;

  private final Set<String> recent = new LinkedHashSet<>();
  private int count;
  private int keep = Integer.MAX_VALUE;

  /** True when {@code episode} is new: counted, and remembered among the latest. */
  boolean seen(String episode) {
    if (!recent.add(episode)) {
      return false;
    }
    count++;
    trim();
    return true;
  }

  /** From now on keeps only the latest {@link #RECENT} ids. */
  void bounded() {
    keep = RECENT;
    trim();
  }

  /** Takes over an earlier run's bookkeeping (continued as new). */
  void resume(int earlierCount, List<String> latest) {
    recent.addAll(latest);
    count = earlierCount;
    trim();
  }

  boolean isBounded() {
    return keep != Integer.MAX_VALUE;
  }

  int count() {
    return count;
  }

  /** The ids kept, oldest first. */
  List<String> latest() {
    return List.copyOf(recent);
  }

  private void trim() {
    Iterator<String> oldest = recent.iterator();
    for (int extra = recent.size() - keep; extra > 0; extra--) {
      oldest.next();
      oldest.remove();
    }
  }
}
