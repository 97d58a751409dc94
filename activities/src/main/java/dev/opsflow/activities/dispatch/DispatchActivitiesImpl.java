package dev.opsflow.activities.dispatch;

import dev.opsflow.contracts.remediation.ActionMark;
import dev.opsflow.contracts.remediation.AdmissionRequest;
import dev.opsflow.contracts.remediation.DispatchResult;
import dev.opsflow.contracts.remediation.RemediationRequest;

public final class DispatchActivitiesImpl implements DispatchActivities {
  private final RemediationDispatcher dispatcher;

  public DispatchActivitiesImpl(RemediationDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public DispatchResult dispatch(RemediationRequest request) {
    return dispatcher.dispatch(request);
  }

  @Override
  public void requestAdmission(AdmissionRequest request) {
    dispatcher.requestAdmission(request);
  }

  @Override
  public void releaseAdmission(String workflowId) {
    dispatcher.releaseAdmission(workflowId);
  }

  @Override
  public void recordAction(ActionMark mark) {
    dispatcher.recordAction(mark);
  }

  @Override
  public ActionMark lastAction(String problem) {
    return dispatcher.lastAction(problem);
  }
}
