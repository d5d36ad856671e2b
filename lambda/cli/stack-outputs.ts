/**
 * Finding the deployed backfill workflow from the table name the user knows: the CloudFormation stack whose
 * `EventTableName` output is that table also outputs the state machine, the log bucket and prefix, and the results
 * bucket (`DescribeStacks` of every stack in the region, page by page).
 */
import type * as Cfn from '@aws-sdk/client-cloudformation';
import { STACK_OUTPUTS } from '../app/backfill-names';
import { TargetError } from './errors';

/** The parts of the CloudFormation SDK the lookup calls (loaded by the command, only when it runs). */
export type StackSdk = Pick<typeof Cfn, 'paginateDescribeStacks'>;

/** A deployed trail-audit stack's backfill workflow, from its outputs. */
export interface DeployedBackfill {
  readonly stackName: string;
  readonly stateMachineArn: string;
  readonly logBucket?: string;
  /** The trail's `[PREFIX/]AWSLogs/`. */
  readonly logPrefix?: string;
  readonly resultsBucket?: string;
}

/**
 * The stack that outputs `EventTableName` = `tableName` and a backfill state machine.
 * @throws TargetError when no stack, or more than one, does
 */
export async function findBackfillStack(
  client: Cfn.CloudFormationClient,
  sdk: StackSdk,
  tableName: string,
): Promise<DeployedBackfill> {
  const found: DeployedBackfill[] = [];
  let tableWithoutWorkflow: string | undefined;
  for await (const page of sdk.paginateDescribeStacks({ client }, {})) {
    for (const stack of page.Stacks ?? []) {
      const outputs = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
      if (outputs.get(STACK_OUTPUTS.eventTableName) !== tableName) continue;
      const stateMachineArn = outputs.get(STACK_OUTPUTS.backfillStateMachineArn);
      const stackName = stack.StackName ?? '(unnamed stack)';
      if (stateMachineArn === undefined) {
        tableWithoutWorkflow = stackName;
        continue;
      }
      const logBucket = outputs.get(STACK_OUTPUTS.logBucketName);
      const logPrefix = outputs.get(STACK_OUTPUTS.logPrefix);
      const resultsBucket = outputs.get(STACK_OUTPUTS.backfillResultsBucketName);
      found.push({
        stackName,
        stateMachineArn,
        ...(logBucket === undefined ? {} : { logBucket }),
        ...(logPrefix === undefined ? {} : { logPrefix }),
        ...(resultsBucket === undefined ? {} : { resultsBucket }),
      });
    }
  }
  const region = await client.config.region().catch(() => 'the default region');
  if (found.length === 1 && found[0] !== undefined) return found[0];
  if (found.length > 1) {
    throw new TargetError(
      `stacks ${found.map((stack) => stack.stackName).join(', ')} all output EventTableName ${tableName}: ` +
        'pick one with --state-machine',
    );
  }
  if (tableWithoutWorkflow !== undefined) {
    throw new TargetError(
      `stack ${tableWithoutWorkflow} has no backfill workflow (no ${STACK_OUTPUTS.backfillStateMachineArn} output): ` +
        'deploy this version of the stack first',
    );
  }
  throw new TargetError(
    `no CloudFormation stack in ${region} outputs EventTableName ${tableName}: check --table and --region, ` +
      'or name the workflow with --state-machine',
  );
}
