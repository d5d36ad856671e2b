/**
 * The Step Functions adapter of the {@link RunningBackfills} port: the RUNNING executions of the backfill state
 * machine, each with its input, for the overlap check of the workflow's plan step and of `trail-audit backfill`.
 *
 * The SDK module comes in with the client, so the CLI can load it only when a backfill command runs (the Lambda
 * passes the one it bundles): every command and client then comes from one copy of the SDK.
 */
import type * as Sfn from '@aws-sdk/client-sfn';
import type { RunningBackfill, RunningBackfills } from '../app/ports';

/** The parts of the Step Functions SDK the adapter calls. */
export type SfnRunningBackfillsSdk = Pick<typeof Sfn, 'DescribeExecutionCommand' | 'paginateListExecutions'>;

/** Lists the running executions of a state machine and reads their inputs. */
export class SfnRunningBackfills implements RunningBackfills {
  constructor(
    private readonly client: Sfn.SFNClient,
    private readonly sdk: SfnRunningBackfillsSdk,
  ) {}

  /** `ListExecutions` (RUNNING, every page), then `DescribeExecution` of each for its input. */
  async list(stateMachineArn: string): Promise<RunningBackfill[]> {
    const running: RunningBackfill[] = [];
    for await (const page of this.sdk.paginateListExecutions(
      { client: this.client },
      { stateMachineArn, statusFilter: 'RUNNING' },
    )) {
      for (const execution of page.executions ?? []) {
        if (execution.executionArn === undefined) continue;
        try {
          const described = await this.client.send(
            new this.sdk.DescribeExecutionCommand({ executionArn: execution.executionArn }),
          );
          if (described.status !== 'RUNNING') continue;
          running.push({
            executionArn: execution.executionArn,
            input: described.input ?? '{}',
            startDate: described.startDate ?? execution.startDate ?? new Date(0),
          });
        } catch (error) {
          // Ended and aged out between the two calls: no longer running.
          if (error instanceof Error && error.name === 'ExecutionDoesNotExist') continue;
          throw error;
        }
      }
    }
    return running;
  }
}
