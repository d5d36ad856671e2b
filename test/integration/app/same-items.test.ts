/**
 * One engine, two doors: the same log objects taken in through the processor Lambda (an SQS batch of S3
 * notifications) and through `trail-audit ingest s3://...` leave exactly the same items in the table, the file
 * ledger and the digest files' verification results included (the Lambda takes the listed log files in through its
 * digests, since S3 lists the digests first; `ingest` takes the log files in first). Both doors run the log-object service; this test is what keeps them from drifting apart again.
 *
 * One difference is allowed, and only one: an event that several objects repeat is stored once by both doors, but
 * which object's `source` (uri, index, offset) its event item keeps depends on the order the objects are taken in,
 * in either door (the CLI keeps the first copy it reads, the Lambda the last it is notified of). Those events'
 * `source` is left out of the comparison; everything else must be equal.
 *
 * Real parts: s3rver holds the objects, DynamoDB Local holds two tables built from the stack's own definition.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import type { Logger, Metrics } from '../../../lambda/app/ports';
import { createHandler } from '../../../lambda/app/processor';
import { main } from '../../../lambda/cli/main';
import { newCounts, normaliseLogObject } from '../../../lambda/core/pipeline';
import type { DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { DynamoDBIntegrityStore } from '../../../lambda/store/integrity-store';
import { createEventTable, localDocumentClient } from '../../helpers/dynamodb';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { sqsEventOf } from '../../helpers/s3-events';
import type { LocalS3 } from '../../helpers/s3rver';
import { startDynamoDBAndS3 } from '../../helpers/servers';
import { filesUnder, tableItems } from '../../helpers/table-items';
import { captureIO } from '../../unit/cli/capture-io';
import { EXAMPLES_DIR } from '../cli/cli-helpers';

jest.setTimeout(60_000);

const BUCKET = 'trail-audit-doors';
const LAMBDA_TABLE = 'through-the-lambda';
const CLI_TABLE = 'through-the-cli';
const NOW = new Date('2026-11-21T12:00:00Z');
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDDOORS', AWS_SECRET_ACCESS_KEY: 'doors', AWS_REGION: 'us-east-1' };

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const silentMetrics: Metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

let s3: LocalS3 | undefined;
let server: DynamoDBLocalServer | undefined;
let client: DynamoDBDocumentClient | undefined;
const savedEnv = { ...process.env };

/** Every item of a table, as comparable text (see `tableItems`). */
async function itemsOf(tableName: string, repeated: ReadonlySet<string>): Promise<string[]> {
  if (client === undefined) throw new Error('DynamoDB Local did not start');
  return tableItems(client, tableName, repeated);
}

/** The event IDs that more than one of the bucket's objects hold. */
async function repeatedAcrossObjects(keys: readonly string[]): Promise<Set<string>> {
  if (s3 === undefined) throw new Error('s3rver did not start');
  const source = new S3LogObjectSource(s3.client);
  const seen = new Map<string, number>();
  for (const key of keys) {
    const opened = await source.open(BUCKET, key);
    const ids = new Set<string>();
    for await (const kept of normaliseLogObject(opened.body, { objectKey: key, dropReadOnly: false }, newCounts())) {
      ids.add(kept.event.eventID);
    }
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return new Set([...seen].filter(([, objects]) => objects > 1).map(([id]) => id));
}

beforeAll(async () => {
  ({ dynamodb: server, s3 } = await startDynamoDBAndS3([BUCKET]));
  client = localDocumentClient(server.endpoint);
  await createEventTable(client, LAMBDA_TABLE);
  await createEventTable(client, CLI_TABLE);
  // The example logs (a log file of every kind, a digest file, an organization trail's file, an event that two
  // files repeat), and one more file that repeats a kept event of the examples under another key.
  for await (const path of filesUnder(join(EXAMPLES_DIR, 'AWSLogs'))) {
    await s3.putObject(BUCKET, relative(EXAMPLES_DIR, path), await readFile(path));
  }
  await s3.putObject(
    BUCKET,
    'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/111122223333_CloudTrail_us-east-1_20261121T0005Z_extra.json.gz',
    gzippedLogFile([
      record({ eventID: 'extra-1', eventName: 'DeleteLoadBalancer', readOnly: false }),
      record({ eventID: 'extra-1', eventName: 'DeleteLoadBalancer', readOnly: false }),
      record({ eventID: 'extra-2', eventName: 'DescribeLoadBalancers', readOnly: true }),
    ]),
  );
});

afterAll(async () => {
  process.env = savedEnv;
  client?.destroy();
  await Promise.all([server?.stop(), s3?.stop()]);
});

describe('the Lambda door and the CLI door', () => {
  it('leave exactly the same items, ledger included', async () => {
    // Prepare: what S3 would notify, one object per message, with the ETags S3 gives
    if (s3 === undefined || server === undefined || client === undefined) throw new Error('servers did not start');
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const objects = (listed.Contents ?? []).map((object) => ({
      bucket: BUCKET,
      key: object.Key ?? '',
      eTag: (object.ETag ?? '').replace(/"/g, ''),
    }));
    const processor = createHandler({
      source: new S3LogObjectSource(s3.client),
      store: new DynamoDBEventStore({ client, tableName: LAMBDA_TABLE, now: () => NOW }),
      ledger: new DynamoDBFileLedger({ client, tableName: LAMBDA_TABLE }),
      logger: silentLogger,
      metrics: silentMetrics,
      config: { dropReadOnly: false },
      now: () => NOW,
      // The digest step as `ingest` runs it: no public keys (the uploaded digests carry no signature metadata).
      integrity: { store: new DynamoDBIntegrityStore({ client, tableName: LAMBDA_TABLE }) },
    });
    Object.assign(process.env, CREDENTIALS);

    // Act
    const response = await processor(sqsEventOf(objects.map((object, index) => ({ id: `m${index}`, objects: [object] }))));
    const io = captureIO(process.cwd(), NOW);
    const code = await main(
      ['ingest', `s3://${BUCKET}/`, '--table', CLI_TABLE, '--endpoint', server.endpoint, '--concurrency', '3'],
      io,
      { s3Client: s3.client },
    );

    // Assess
    expect({ failures: response?.batchItemFailures, code, stderr: io.stderr.text() }).toEqual({
      failures: [],
      code: 0,
      stderr: expect.stringContaining('→ table through-the-cli') as unknown,
    });
    const repeated = await repeatedAcrossObjects(objects.map((object) => object.key));
    const [throughLambda, throughCli] = [await itemsOf(LAMBDA_TABLE, repeated), await itemsOf(CLI_TABLE, repeated)];
    expect(repeated.size).toBe(1);
    expect(throughLambda.length).toBeGreaterThan(100);
    // Log files and digest files get a ledger entry; each digest its verification result.
    const ledgered = objects.filter((object) => /\/CloudTrail(-Digest)?\//.test(object.key));
    const digests = objects.filter((object) => object.key.includes('/CloudTrail-Digest/'));
    expect(throughLambda.filter((item) => item.includes('"sk":"LEDGER"')).length).toBe(ledgered.length);
    expect(throughLambda.filter((item) => item.includes('"kind":"digest"')).length).toBe(digests.length);
    expect(throughCli).toEqual(throughLambda);
  });
});
