/**
 * Every trigger, one flow: the same log objects named by an S3 event notification, an EventBridge `Object Created`
 * event and CloudTrail's SNS delivery notification (in an SNS envelope, and raw) leave exactly the same items in the
 * table, ledger included; and a redelivered message of each shape stores nothing twice.
 *
 * Real parts: s3rver holds the example logs under a prefix with a space, a `+` and a `=` (which each shape writes
 * differently: see `lambda/app/notifications.ts`), DynamoDB Local holds one table per shape.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger, Metrics } from '../../../lambda/app/ports';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import { createHandler } from '../../../lambda/app/processor';
import type { DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { DynamoDBIntegrityStore } from '../../../lambda/store/integrity-store';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { DELIVERY_SHAPES, sqsEventIn, type DeliveryShape } from '../../helpers/notification-shapes';
import type { NotifiedObjectSpec } from '../../helpers/s3-events';
import type { LocalS3 } from '../../helpers/s3rver';
import { startDynamoDBAndS3 } from '../../helpers/servers';
import { filesUnder, tableItems } from '../../helpers/table-items';
import { EXAMPLES_DIR } from '../cli/cli-helpers';

jest.setTimeout(60_000);

const BUCKET = 'trail-audit-shapes';
/** The trail's key prefix: S3 notifies it as `org+logs/team%2Bops/env%3Dprod/`, the other shapes as it is. */
const PREFIX = 'org logs/team+ops/env=prod/';
const NOW = new Date('2026-11-21T12:00:00Z');

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const silentMetrics: Metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

let s3: LocalS3 | undefined;
let server: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient | undefined;
/** Every example object as S3 lists it, with the ETag S3 gives (the one its notifications carry). */
let objects: NotifiedObjectSpec[] = [];

beforeAll(async () => {
  ({ dynamodb: server, s3 } = await startDynamoDBAndS3([BUCKET]));
  client = localDocumentClient(server.endpoint);
  // The example logs: a log file of every kind, a digest file, an organization trail's file, an event two files
  // repeat.
  for await (const path of filesUnder(`${EXAMPLES_DIR}/AWSLogs`)) {
    await s3.putObject(BUCKET, `${PREFIX}${relative(EXAMPLES_DIR, path)}`, await readFile(path));
  }
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  objects = (listed.Contents ?? []).map((object) => ({
    bucket: BUCKET,
    key: object.Key ?? '',
    eTag: (object.ETag ?? '').replace(/"/g, ''),
  }));
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([server?.stop(), s3?.stop()]);
});

/** The processor with its production adapters on the local servers, writing to `tableName`. */
function processorFor(tableName: string) {
  if (s3 === undefined || client === undefined) throw new Error('servers did not start');
  return createHandler({
    source: new S3LogObjectSource(s3.client),
    store: new DynamoDBEventStore({ client, tableName, now: () => NOW }),
    ledger: new DynamoDBFileLedger({ client, tableName }),
    logger: silentLogger,
    metrics: silentMetrics,
    config: { dropReadOnly: false },
    now: () => NOW,
    integrity: { store: new DynamoDBIntegrityStore({ client, tableName }) },
  });
}

/** Takes every example object in through messages of one shape, one object per message, in listing order. */
async function ingestIn(shape: DeliveryShape, tableName: string): Promise<string[]> {
  if (client === undefined) throw new Error('DynamoDB Local did not start');
  await createEventTable(client, tableName);
  const response = await processorFor(tableName)(
    sqsEventIn(shape, objects.map((object, index) => ({ id: `m${index}`, objects: [object] }))),
  );
  if (response?.batchItemFailures.length !== 0) throw new Error(`${shape}: ${JSON.stringify(response)}`);
  return tableItems(client, tableName);
}

describe('the example logs through every notification shape', () => {
  let throughS3Notifications: string[] = [];

  beforeAll(async () => {
    throughS3Notifications = await ingestIn('s3-notification', 'shape-s3-notification');
  });

  it('through S3 event notifications: every log file stored, every digest file verified', () => {
    // assess: one ledger item per log file and per digest file, a result per digest, and the examples' events
    const ledgered = objects.filter((object) => /\/CloudTrail(-Digest)?\//.test(object.key));
    const digests = objects.filter((object) => object.key.includes('/CloudTrail-Digest/'));
    expect(throughS3Notifications.filter((item) => item.includes('"sk":"LEDGER"')).length).toBe(ledgered.length);
    expect(throughS3Notifications.filter((item) => item.includes('"kind":"digest"')).length).toBe(digests.length);
    expect(throughS3Notifications.length).toBeGreaterThan(100);
  });

  it.each(DELIVERY_SHAPES.filter((shape) => shape !== 's3-notification'))(
    'through %s: exactly the same items, ledger included',
    async (shape) => {
      // act
      const items = await ingestIn(shape, `shape-${shape}`);

      // assess
      expect(items).toEqual(throughS3Notifications);
    },
  );
});

describe('a message delivered twice, in each shape', () => {
  it.each(DELIVERY_SHAPES)('%s: stores nothing twice', async (shape) => {
    // prepare: the organization trail's example file, delivered once
    if (client === undefined) throw new Error('DynamoDB Local did not start');
    const tableName = `redelivered-${shape}`;
    await createEventTable(client, tableName);
    const orgFile = objects.find((object) => object.key.includes('/o-exampleorg1/'));
    if (orgFile === undefined) throw new Error('the examples have no organization trail file');
    const event = sqsEventIn(shape, [{ id: 'm1', objects: [orgFile] }]);
    const processor = processorFor(tableName);
    await processor(event);
    const itemsAfterFirst = await tableItems(client, tableName);

    // act
    const response = await processor(event);

    // assess: the same items, each event once (with a ledger entry naming the object by its key as stored)
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await tableItems(client, tableName)).toEqual(itemsAfterFirst);
    expect(itemsAfterFirst.filter((item) => item.includes('"sk":"LEDGER"'))).toEqual([
      expect.stringContaining(`"pk":"s3://${BUCKET}/${orgFile.key}"`) as unknown,
    ]);
  });
});
