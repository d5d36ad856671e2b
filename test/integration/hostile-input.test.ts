/**
 * Hostile records through the processor end to end, against DynamoDB Local and s3rver: one log file mixing valid
 * events with every record an attacker who can write under `AWSLogs/` can craft (nested 5,000 levels deep, an
 * impossible time, an eventID or eventName too long for DynamoDB, 3,000 resources, 450 KB, names too long for a key)
 * is processed, not failed: every valid event is stored, each hostile record costs at most itself — counted as
 * invalid, or stored trimmed and marked — and DynamoDB accepts every item written.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { S3LogObjectSource } from '../../lambda/adapters/s3-log-reader';
import type { Logger } from '../../lambda/app/ports';
import { createHandler } from '../../lambda/app/processor';
import { MAX_RESOURCES_PER_EVENT } from '../../lambda/core/limits';
import type { RecordProblem } from '../../lambda/core/pipeline';
import type { DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../lambda/store/dynamodb-event-store';
import { getEvent } from '../../lambda/store/event-queries';
import { DynamoDBFileLedger } from '../../lambda/store/file-ledger';
import { createEventTable, localDocumentClient } from '../helpers/dynamodb';
import { CountingMetrics } from '../helpers/fakes';
import { HOSTILE_RECORDS, logFileOfTexts, recordText } from '../helpers/hostile-records';
import { sqsEventOf } from '../helpers/s3-events';
import type { LocalS3 } from '../helpers/s3rver';
import { startDynamoDBAndS3 } from '../helpers/servers';

// The servers take seconds to start, and the capped record alone writes 4,000 items.
jest.setTimeout(120_000);

const BUCKET = 'trail-audit-hostile';
const TABLE = 'events-hostile';
const KEY = 'AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1005Z_hostile.json.gz';

/** A Beanstalk environment with a name that fits a partition key but, after `ALIAS#`, not a sort key. */
const LONG_ENVIRONMENT = recordText('long-environment', {
  eventSource: '"elasticbeanstalk.amazonaws.com"',
  eventName: '"UpdateEnvironment"',
  apiVersion: '"2010-12-01"',
  requestParameters: `{"applicationName":"shop","environmentName":"${'e'.repeat(1500)}","environmentId":"e-abcde12345"}`,
});

/** The file, in order: [index, record, what becomes of it]. */
const RECORDS = [
  ['valid-1', recordText('valid-1')],
  ['deep', HOSTILE_RECORDS.deep('deep')],
  ['impossible-date', HOSTILE_RECORDS.impossibleDate('impossible-date')],
  ['long-event-id', HOSTILE_RECORDS.longEventId('long-event-id')],
  ['long-event-name', HOSTILE_RECORDS.longEventName('long-event-name')],
  ['fan-out', HOSTILE_RECORDS.fanOut('fan-out', 3_000)],
  ['oversized', HOSTILE_RECORDS.oversized('oversized')],
  ['long-resource-name', HOSTILE_RECORDS.longResourceName('long-resource-name')],
  ['long-environment', LONG_ENVIRONMENT],
  ['valid-2', recordText('valid-2')],
] as const;

let dynamodb: DynamoDBLocalServer | undefined;
let s3: LocalS3 | undefined;
let client: DynamoDBDocumentClient;
const metrics = new CountingMetrics();
const logged: { message: string; attributes: Record<string, unknown> }[] = [];
let response: SQSBatchResponse | undefined;

beforeAll(async () => {
  ({ dynamodb, s3 } = await startDynamoDBAndS3([BUCKET]));
  client = localDocumentClient(dynamodb.endpoint);
  await createEventTable(client, TABLE);
  await s3.putObject(BUCKET, KEY, gzipSync(logFileOfTexts(RECORDS.map(([, text]) => text))));
  const logger: Logger = {
    info: (message, attributes) => logged.push({ message, attributes }),
    warn: (message, attributes) => logged.push({ message, attributes }),
    error: (message, attributes) => logged.push({ message, attributes }),
  };
  const handler = createHandler({
    source: new S3LogObjectSource(s3.client),
    store: new DynamoDBEventStore({ client, tableName: TABLE }),
    ledger: new DynamoDBFileLedger({ client, tableName: TABLE }),
    logger,
    metrics,
    config: { dropReadOnly: false },
  });
  response = await handler(sqsEventOf([{ id: 'm-hostile', objects: [{ bucket: BUCKET, key: KEY }] }]));
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await dynamodb?.stop();
});

/** Every item of the table (a few thousand: the capped record's lookups). */
async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

describe('a log file of valid and hostile records, through the processor', () => {
  it('is processed, not failed and retried', () => {
    expect({ response, failed: metrics.values.get('FilesFailed'), processed: metrics.values.get('FilesProcessed') }).toEqual({
      response: { batchItemFailures: [] },
      failed: undefined,
      processed: 1,
    });
  });

  it('stores every event that can be stored, and no invalid one', async () => {
    // Act
    const stored = await Promise.all(RECORDS.map(async ([eventID]) => [eventID, (await getEvent(client, TABLE, eventID)) !== undefined] as const));

    // Assess
    expect(Object.fromEntries(stored)).toEqual({
      'valid-1': true,
      deep: false,
      'impossible-date': false,
      // Stored under no key at all: its eventID is longer than the bound.
      'long-event-id': false,
      'long-event-name': false,
      'fan-out': true,
      oversized: true,
      'long-resource-name': true,
      'long-environment': true,
      'valid-2': true,
    });
  });

  it('names each record that cost something by its position, in the log line of the file', () => {
    // Act
    const line = logged.find((entry) => entry.message === 'log object processed');

    // Assess
    const problems = (line?.attributes.problems ?? []) as RecordProblem[];
    expect(problems.map((problem) => [problem.index, problem.problem])).toEqual([
      [1, 'invalid-record'],
      [2, 'invalid-record'],
      [3, 'invalid-record'],
      [4, 'invalid-record'],
      [5, 'resources-omitted'],
      [6, 'record-trimmed'],
    ]);
  });

  it('counts them in the metrics', () => {
    expect({
      invalid: metrics.values.get('RecordsSkipped.invalid-record'),
      trimmed: metrics.values.get('RecordsTrimmed'),
      omitted: metrics.values.get('ResourcesOmitted'),
    }).toEqual({ invalid: 4, trimmed: 1, omitted: 3_001 - MAX_RESOURCES_PER_EVENT });
  });

  it('marks the capped event with how many resources it left out', async () => {
    // Act
    const event = await getEvent(client, TABLE, 'fan-out');

    // Assess
    expect({ listed: event?.event.resources.length, omitted: event?.event.resourcesOmitted }).toEqual({
      listed: MAX_RESOURCES_PER_EVENT,
      omitted: 3_001 - MAX_RESOURCES_PER_EVENT,
    });
  });

  it('stores the oversized record trimmed and says which field was', async () => {
    // Act
    const event = await getEvent(client, TABLE, 'oversized');

    // Assess
    expect(event?.recordTrimmed).toEqual(['responseElements']);
  });

  it('links the long-named environment to its ID by the alias items whose keys fit, and only those', async () => {
    // Act
    const aliases = (await scanAll()).filter((item) => String(item.sk).startsWith('ALIAS#'));

    // Assess: name → ID and ARN → ID; the pairs whose sort key would hold the 1,500-byte name or its ARN are left out
    expect(aliases.map((item) => [String(item.pk).length, item.alias]).sort()).toEqual([
      [1500, 'e-abcde12345'],
      [1500 + 'arn:aws:elasticbeanstalk:us-west-2:123456789012:environment/shop/'.length, 'e-abcde12345'],
    ]);
  });
});
