package dev.opsflow.activities.kubernetes;

import java.util.Map;

/** The Service's selector before and after; {@code changed} false when it already matched. */
public record ServicePatchResult(
    Map<String, String> previousSelector, Map<String, String> selector, boolean changed) {}
