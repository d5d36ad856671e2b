/**
 * The deployable stack: {@link TrailAudit} and nothing else. `bin/trail-audit.ts` creates it from CDK context.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TrailAudit, type TrailAuditProps } from './trail-audit';

/** Props of {@link TrailAuditStack}: the stack's own and those of {@link TrailAudit}. */
export interface TrailAuditStackProps extends StackProps, TrailAuditProps {}

/**
 * trail-audit as a stack of its own. The construct's id is `Default`, which CDK leaves out of logical IDs, so the
 * resources keep the logical IDs they had when the stack built them itself: a stack deployed before updates in place.
 */
export class TrailAuditStack extends Stack {
  /** Everything the stack deploys. */
  public readonly audit: TrailAudit;

  public constructor(scope: Construct, id: string, props: TrailAuditStackProps = {}) {
    super(scope, id, props);
    this.audit = new TrailAudit(this, 'Default', props);
  }
}
