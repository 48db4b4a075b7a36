"""From a path to an alert line: the work queue (coalescing, in flight, drain), the scan workers,
the result stage (state, errors) and the alert sink (de-duplicate, respond, write durably,
wake delivery, echo). docs/agent.md draws the whole flow."""

from agent.pipeline.workers import Job, Pipeline, WorkQueue

__all__ = ["Job", "Pipeline", "WorkQueue"]
