package dev.opsflow.contracts.human;

/** An approve or reject: who decided, and why. The payload of the approve/reject signals. */
public record Decision(String by, String comment) {}
