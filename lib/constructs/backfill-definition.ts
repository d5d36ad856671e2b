/**
 * The backfill workflow's state machine, in the Amazon States Language, as plain data: what `BackfillWorkflow`
 * deploys and what the tests validate with `asl-validator`.
 *
 * Written as ASL rather than with the CDK's state classes so that every field the workflow depends on is in one
 * place and the IAM policy next to it can be exactly what these states call (the CDK's Distributed Map grants
 * `s3:ListBucket` on the whole bucket and writes anywhere in the results bucket). Resource names are
 * `${Placeholder}`s that CloudFormation substitutes at deploy time ({@link DEFINITION_PLACEHOLDERS}).
 *
 * ```
 * Plan (Lambda) ─► Source? ─ listing ─► Units (inline Map, one unit at a time)
 *                     │                    └─► Objects (Distributed Map: S3 ListObjectsV2 of the unit's prefix)
 *                     └── manifest ─► Inventory (Distributed Map: an S3 Inventory manifest)
 *                                          each batch of keys ─► ListedBatch / InventoryBatch (Lambda) ─► results to S3
 *                  ─► Done
 * ```
 */
import { BACKFILL_STATES } from '../../lambda/app/backfill-names';

/** The placeholders of the definition, substituted by CloudFormation (`DefinitionSubstitutions`). */
export const DEFINITION_PLACEHOLDERS = ['Partition', 'BackfillFunctionArn', 'LogBucketName', 'ResultsBucketName'] as const;

/** A placeholder of the definition. */
export type DefinitionPlaceholder = (typeof DEFINITION_PLACEHOLDERS)[number];

/** What varies between deployments. */
export interface BackfillDefinitionOptions {
  /** Keys per child workflow execution (the ItemBatcher's `MaxItemsPerBatch`). */
  readonly itemsPerBatch: number;
  /** The share of a map run's items that may fail before the run, and the execution, fail. */
  readonly toleratedFailurePercentage: number;
  /** Whether to include the S3 Inventory branch (the stack reads an inventory bucket). */
  readonly inventory: boolean;
}

/** A state machine definition (JSON). */
export type StateMachineDefinition = Record<string, unknown>;

/** The errors of a Lambda invoke worth retrying: the Lambda service's, not the function's. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const lambdaServiceRetry = {
  ErrorEquals: LAMBDA_SERVICE_ERRORS,
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

function invoke(payload: Record<string, unknown> | string): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:${Partition}:states:::lambda:invoke',
    Parameters: {
      FunctionName: '${BackfillFunctionArn}',
      ...(typeof payload === 'string' ? { 'Payload.$': payload } : { Payload: payload }),
    },
  };
}

/** The child workflow of a Distributed Map: one batch of keys through the backfill function. */
function batchProcessor(taskName: string): Record<string, unknown> {
  return {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    StartAt: taskName,
    States: {
      [taskName]: {
        ...invoke('$'),
        // The counts only: the results written to S3 stay small; each key's outcome is in the function's log.
        ResultSelector: {
          'objects.$': '$.Payload.objects',
          'processed.$': '$.Payload.processed',
          'skipped.$': '$.Payload.skipped',
          'eventsStored.$': '$.Payload.eventsStored',
        },
        Retry: [
          // Out of time before its last key: every attempt gets further (the done keys cost one read each).
          { ErrorEquals: ['BackfillBatchIncomplete'], IntervalSeconds: 1, MaxAttempts: 20, BackoffRate: 1 },
          // Some keys failed (a throttled table, a network error; a corrupt file fails again): only they are redone.
          {
            ErrorEquals: ['BackfillObjectsFailed'],
            IntervalSeconds: 10,
            MaxAttempts: 2,
            BackoffRate: 3,
            JitterStrategy: 'FULL',
          },
          lambdaServiceRetry,
        ],
        End: true,
      },
    },
  };
}

/** The parts every Distributed Map of the workflow shares, given where its map-level settings are in its input. */
function distributedMap(
  label: string,
  taskName: string,
  itemReader: Record<string, unknown>,
  options: BackfillDefinitionOptions,
) {
  return {
    Type: 'Map',
    Label: label,
    ItemReader: itemReader,
    ItemBatcher: { MaxItemsPerBatch: options.itemsPerBatch, BatchInput: { 'scope.$': '$.scope' } },
    MaxConcurrencyPath: '$.maxConcurrency',
    ToleratedFailurePercentage: options.toleratedFailurePercentage,
    ItemProcessor: batchProcessor(taskName),
    ResultWriter: {
      Resource: 'arn:${Partition}:states:::s3:putObject',
      Parameters: { Bucket: '${ResultsBucketName}', 'Prefix.$': '$.resultsPrefix' },
    },
    ResultPath: null,
  };
}

/** The backfill workflow's definition. */
export function backfillDefinition(options: BackfillDefinitionOptions): StateMachineDefinition {
  const states: Record<string, unknown> = {
    [BACKFILL_STATES.plan]: {
      ...invoke({
        action: 'plan',
        'request.$': '$$.Execution.Input',
        'executionArn.$': '$$.Execution.Id',
        'executionName.$': '$$.Execution.Name',
        'stateMachineArn.$': '$$.StateMachine.Id',
        'startTime.$': '$$.Execution.StartTime',
      }),
      // The plan becomes the execution's state: units, scope, concurrency, results prefix.
      OutputPath: '$.Payload',
      Retry: [lambdaServiceRetry],
      Next: options.inventory ? BACKFILL_STATES.source : BACKFILL_STATES.units,
    },
    [BACKFILL_STATES.units]: {
      Type: 'Map',
      ItemsPath: '$.units',
      // One listing run at a time: the map run's own MaxConcurrency is the whole table budget.
      MaxConcurrency: 1,
      ItemSelector: {
        'prefix.$': "States.Format('{}{}', $.base, $$.Map.Item.Value)",
        'scope.$': '$.scope',
        'maxConcurrency.$': '$.maxConcurrency',
        'resultsPrefix.$': '$.resultsPrefix',
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: BACKFILL_STATES.objects,
        States: {
          [BACKFILL_STATES.objects]: {
            ...distributedMap(
              BACKFILL_STATES.objects,
              BACKFILL_STATES.listedBatch,
              {
                Resource: 'arn:${Partition}:states:::s3:listObjectsV2',
                Parameters: { Bucket: '${LogBucketName}', 'Prefix.$': '$.prefix' },
              },
              options,
            ),
            End: true,
          },
        },
      },
      // Each run's results are in S3; the parent's state stays the plan (256 KB at most).
      ResultPath: null,
      Next: BACKFILL_STATES.done,
    },
    [BACKFILL_STATES.done]: {
      Type: 'Pass',
      Parameters: {
        'source.$': '$.source',
        'level.$': '$.level',
        'units.$': 'States.ArrayLength($.units)',
        'summary.$': '$.summary',
        'results.$': '$.results',
      },
      End: true,
    },
  };
  if (options.inventory) {
    states[BACKFILL_STATES.source] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.source', StringEquals: 'manifest', Next: BACKFILL_STATES.inventory }],
      Default: BACKFILL_STATES.units,
    };
    states[BACKFILL_STATES.inventory] = {
      ...distributedMap(
        BACKFILL_STATES.inventory,
        BACKFILL_STATES.inventoryBatch,
        {
          Resource: 'arn:${Partition}:states:::s3:getObject',
          ReaderConfig: { InputType: 'MANIFEST' },
          Parameters: { 'Bucket.$': '$.manifest.bucket', 'Key.$': '$.manifest.key' },
        },
        options,
      ),
      Next: BACKFILL_STATES.done,
    };
  }
  return {
    Comment:
      'trail-audit backfill: CloudTrail log files of a range through the log-object service (docs/backfill.md)',
    StartAt: BACKFILL_STATES.plan,
    States: states,
  };
}
