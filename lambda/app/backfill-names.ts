/**
 * Names the backfill workflow and its readers share: the states of its state machine (the CLI reads the plan from
 * the execution history by its state's name) and the stack outputs `trail-audit backfill` finds it by.
 */

/** The states of the backfill state machine. */
export const BACKFILL_STATES = {
  plan: 'Plan',
  source: 'Source',
  units: 'Units',
  objects: 'Objects',
  inventory: 'Inventory',
  /** The task of each child execution (state names are unique across a whole state machine). */
  listedBatch: 'ListedBatch',
  inventoryBatch: 'InventoryBatch',
  done: 'Done',
} as const;

/** The stack outputs the CLI reads (`DescribeStacks`): the stack is the one whose `EventTableName` is `--table`. */
export const STACK_OUTPUTS = {
  eventTableName: 'EventTableName',
  logBucketName: 'LogBucketName',
  logPrefix: 'LogPrefix',
  backfillStateMachineArn: 'BackfillStateMachineArn',
  backfillResultsBucketName: 'BackfillResultsBucketName',
} as const;
