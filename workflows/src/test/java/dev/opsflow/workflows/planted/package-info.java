/**
 * Planted violations for {@code WorkflowBytecodeStaysDeterministicTest}: workflows that reach the
 * system clock, randomness and non-final static state through helpers, and an activity
 * implementation that does I/O legitimately. Test sources only; the production check never imports
 * this package.
 */
package dev.opsflow.workflows.planted;
