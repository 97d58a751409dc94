package dev.opsflow.activities.model;

/**
 * A model version's result on the model server's validation set.
 *
 * @param version the version evaluated
 * @param examples how many validation examples it was given
 * @param correct how many it got right
 * @param accuracy the share it got right (0-1), as the server computed it
 */
public record ModelEvaluation(String version, int examples, int correct, double accuracy) {}
