/**
 * The package's CDK entry point: the whole system as one construct ({@link TrailAudit}), the stack that holds just
 * it, and the per-concern constructs for teams that compose their own.
 */
export {
  TrailAudit,
  TRIGGER_KINDS,
  type BackfillInventoryLocation,
  type ExistingTrail,
  type TrailAuditProps,
  type TriggerKind,
} from './trail-audit';
export { TrailAuditStack, type TrailAuditStackProps } from './trail-audit-stack';
export { AuditTrail, type AuditTrailProps, type ManagementEvents } from './constructs/audit-trail';
export { BackfillWorkflow, type BackfillWorkflowProps, type BackfillInventory } from './constructs/backfill-workflow';
export { ComplianceAlerts, type ComplianceAlertsProps } from './constructs/compliance-alerts';
export { EventHistorySeeder, type EventHistorySeederProps } from './constructs/event-history-seeder';
export { EventTable, type EventTableProps } from './constructs/event-table';
export { LogBucket, type LogBucketProps } from './constructs/log-bucket';
export { BucketEventBridgeDelivery, type BucketEventBridgeDeliveryProps } from './constructs/bucket-eventbridge-delivery';
export { LogProcessor, type LogProcessorProps, type LogLevel, type LogTrigger } from './constructs/log-processor';
export { Monitoring, type MonitoringProps, type TamperingAlertsDelivery } from './constructs/monitoring';
export { stackPropsFromContext, CONTEXT_KEYS } from './config';
export { loadUserRulesFile, type ValidatedRulesFile } from './user-rules';
