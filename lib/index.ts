/**
 * The package's CDK entry point: the whole system as one construct ({@link TrailAudit}), the stack that holds just
 * it, and the per-concern constructs for teams that compose their own.
 */
export { TrailAudit, type TrailAuditProps, type ExistingTrail, type BackfillInventoryLocation } from './trail-audit';
export { TrailAuditStack, type TrailAuditStackProps } from './trail-audit-stack';
export { AuditTrail, type AuditTrailProps, type ManagementEvents } from './constructs/audit-trail';
export { BackfillWorkflow, type BackfillWorkflowProps, type BackfillInventory } from './constructs/backfill-workflow';
export { ComplianceAlerts, type ComplianceAlertsProps } from './constructs/compliance-alerts';
export { EventTable, type EventTableProps } from './constructs/event-table';
export { LogBucket, type LogBucketProps } from './constructs/log-bucket';
export { LogProcessor, type LogProcessorProps, type LogLevel } from './constructs/log-processor';
export { Monitoring, type MonitoringProps } from './constructs/monitoring';
export { stackPropsFromContext, CONTEXT_KEYS } from './config';
