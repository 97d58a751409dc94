package dev.opsflow.contracts.remediation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * PostgreSQL connections above POSTGRES_CONN_THRESHOLD percent of max_connections: terminate
 * sessions idle longer than IDLE_SESSION_AGE (never opsflow's own, replication or superuser
 * sessions); verify usage fell below the threshold; escalate if not. Never changes schemas. Target:
 * database (optional).
 */
@WorkflowInterface
public interface PostgresConnectionRemediation extends Remediation {
  @WorkflowMethod
  RemediationOutcome remediate(RemediationRequest request);
}
