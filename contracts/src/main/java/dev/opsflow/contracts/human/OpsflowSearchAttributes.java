package dev.opsflow.contracts.human;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/**
 * Custom search attributes every supervised run keeps up to date, so the Web UI's list (and {@code
 * temporal workflow list --query}) can filter on them, e.g. {@code OpsflowPhase =
 * 'WAITING_FOR_APPROVAL'}. The dev stack registers them at start-up; on a real cluster create them
 * once (see the README), else the worker refuses to start with the exact command to run.
 */
public final class OpsflowSearchAttributes {
  public static final SearchAttributeKey<String> PROCEDURE =
      SearchAttributeKey.forKeyword("OpsflowProcedure");
  public static final SearchAttributeKey<String> TARGET =
      SearchAttributeKey.forKeyword("OpsflowTarget");
  public static final SearchAttributeKey<String> SEVERITY =
      SearchAttributeKey.forKeyword("OpsflowSeverity");
  public static final SearchAttributeKey<String> PHASE =
      SearchAttributeKey.forKeyword("OpsflowPhase");

  /** Name and type of each, for registration. */
  public static final Map<String, IndexedValueType> ALL =
      Map.of(
          PROCEDURE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          TARGET.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          SEVERITY.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          PHASE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);

  private OpsflowSearchAttributes() {}
}
