/**
 * Proof of completeness through the processor: the project's signed examples in s3rver (each digest with its
 * signature in its object metadata, as CloudTrail stores it), DynamoDB Local holding the table, CloudTrail's
 * ListPublicKeys answered by the fake CloudTrail the SDK reaches through its standard configuration
 * (`AWS_ENDPOINT_URL_CLOUDTRAIL`), and the alerts through the exactly-once ledger to a fake SNS client (no local SNS
 * exists). Objects are notified in the order CloudTrail delivers them (each log file a few minutes after the time in
 * its name, each digest a few minutes after its hour), one per SQS message, and then notified again.
 *
 * A clean chain verifies; each tampering — a log file deleted, edited or never notified, a digest deleted or edited,
 * a wrong signature, a planted file — is caught, named by `trail-audit verify` on the table, and alerted once across
 * the redelivery. A log file processed after its digest resolves the digest's listing.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CloudTrailPublicKeySource } from '../../../lambda/adapters/cloudtrail-public-keys';
import { S3LogObjectSource } from '../../../lambda/adapters/s3-log-reader';
import { DynamoDBAlertLedger } from '../../../lambda/alerts/dynamodb-alert-ledger';
import { SnsAlertChannel } from '../../../lambda/alerts/sns-publisher';
import { IntegrityAlerts } from '../../../lambda/app/integrity-alerts';
import type { Logger } from '../../../lambda/app/ports';
import { createHandler, type ProcessorHandler } from '../../../lambda/app/processor';
import { PublicKeyCache } from '../../../lambda/app/public-key-cache';
import { parseDigestObjectName, parseLogFileObjectName, sha256Hex } from '../../../lambda/core/digest';
import { DynamoDBEventStore } from '../../../lambda/store/dynamodb-event-store';
import { DynamoDBFileLedger } from '../../../lambda/store/file-ledger';
import { DynamoDBIntegrityStore } from '../../../lambda/store/integrity-store';
import { isoSeconds } from '../../../lambda/core/integrity-items';
import { EXAMPLE_BUCKET, exampleObjects, type ExampleObject } from '../../../scripts/make-examples';
import { createEventTable } from '../../helpers/dynamodb';
import { sqsEventOf } from '../../helpers/s3-events';
import { notVerified, RecordingMetrics, useSignedExamplesRig, type SignedExamplesRig } from '../../helpers/signed-examples-rig';
import { FakeSns } from '../../unit/alerts/fakes';

jest.setTimeout(120_000);

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trail-audit-alerts';
const NOW = new Date('2026-11-20T13:30:00Z');
const EXAMPLES = exampleObjects();
const DIGESTS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail-Digest/'));
const LOGS = EXAMPLES.filter((object) => object.key.includes('/CloudTrail/'));

function example(part: string): ExampleObject {
  const found = EXAMPLES.find((object) => object.key.includes(part));
  if (found === undefined) throw new Error(`no example object ${part}`);
  return found;
}

const FIRST_DIGEST = example('_20261120T091240Z');
/** The account trail's second digest (10:12:40), which lists the 09:30 and 10:10 files. */
const SECOND_DIGEST = example('_20261120T101240Z');
const FILE_0930 = example('_20261120T0930Z_');
const FILE_1010 = example('_20261120T1010Z_');

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const running = useSignedExamplesRig();
let tables = 0;

const put = (object: ExampleObject, text?: string, metadata?: ExampleObject['metadata']): Promise<void> => running().put(object, text, metadata);
const remove = (key: string): Promise<void> => running().remove(key);

/** A processor with its production adapters on the local servers, over a table of its own. */
interface Rig {
  readonly tableName: string;
  readonly sns: FakeSns;
  readonly metrics: RecordingMetrics;
  readonly processor: ProcessorHandler;
}

async function rig(): Promise<Rig> {
  const documents = running().client;
  tables += 1;
  const tableName = `integrity-${tables}`;
  await createEventTable(documents, tableName);
  const sns = new FakeSns();
  const metrics = new RecordingMetrics();
  const processor = createHandler({
    source: new S3LogObjectSource(running().s3.client),
    store: new DynamoDBEventStore({ client: documents, tableName }),
    ledger: new DynamoDBFileLedger({ client: documents, tableName }),
    logger: silentLogger,
    metrics,
    config: { dropReadOnly: false },
    now: () => NOW,
    integrity: {
      store: new DynamoDBIntegrityStore({ client: documents, tableName }),
      publicKeys: new PublicKeyCache(new CloudTrailPublicKeySource((region) => new CloudTrailClient({ region }))),
      alerts: new IntegrityAlerts({
        delivery: {
          ledger: new DynamoDBAlertLedger({ client: documents, tableName }),
          channels: [new SnsAlertChannel({ client: sns, topicArn: TOPIC, baseDelayMs: 1 })],
        },
      }),
    },
  });
  return { tableName, sns, metrics, processor };
}

/** When CloudTrail delivers an object: a log file five minutes after its name's time, a digest five after its end. */
function deliveredAt(key: string): number {
  const time = parseLogFileObjectName(key)?.fileTime ?? parseDigestObjectName(key)?.endTime;
  return (time?.getTime() ?? 0) + 5 * 60_000;
}

/** What the bucket holds, in delivery order, one object per message; `except` keys are not notified. */
async function notifications(except: readonly string[] = []): Promise<{ id: string; objects: { bucket: string; key: string; eTag: string }[] }[]> {
  const listed = await running().s3.client.send(new ListObjectsV2Command({ Bucket: EXAMPLE_BUCKET }));
  return (listed.Contents ?? [])
    .map((object) => ({ key: object.Key ?? '', eTag: (object.ETag ?? '').replace(/"/g, '') }))
    .filter((object) => !except.includes(object.key))
    .sort((a, b) => deliveredAt(a.key) - deliveredAt(b.key) || (a.key < b.key ? -1 : 1))
    .map((object, index) => ({ id: `m${index}`, objects: [{ bucket: EXAMPLE_BUCKET, ...object }] }));
}

/** Notifies the bucket's objects, then notifies them all again (a redelivery); every message must succeed. */
async function deliverTwice(target: Rig, except: readonly string[] = []): Promise<void> {
  const messages = await notifications(except);
  for (let round = 0; round < 2; round += 1) {
    const response = await target.processor(sqsEventOf(messages));
    if (response?.batchItemFailures.length !== 0) throw new Error(`messages failed: ${JSON.stringify(response?.batchItemFailures)}`);
  }
}

/** `trail-audit verify --table NAME --json`: the table's results, checked again. */
function verifyTable(target: Rig): ReturnType<SignedExamplesRig['verifyTable']> {
  return running().verifyTable(target.tableName);
}

/** The status stored for a log file under the digest that lists it. */
async function storedListing(target: Rig, digest: ExampleObject, logFile: ExampleObject): Promise<string | undefined> {
  const name = parseDigestObjectName(digest.key);
  if (name === undefined) throw new Error(`${digest.key} is not a digest key`);
  const store = new DynamoDBIntegrityStore({ client: running().client, tableName: target.tableName });
  const listed = await store.getListedLogFile({
    digest: { accountId: name.accountId, region: name.region, end: isoSeconds(name.endTime), objectId: `s3://${EXAMPLE_BUCKET}/${digest.key}` },
    objectId: `s3://${EXAMPLE_BUCKET}/${logFile.key}`,
  });
  return listed?.status;
}

/** The alerts the fake SNS received, as `rule key` (the key from the alert's object id), retries included. */
function alertsSent(sns: FakeSns): string[] {
  return sns.entries.map((entry) => {
    const rule = entry.MessageAttributes?.['rule']?.StringValue ?? '?';
    const object = /Rule \S+, object s3:\/\/[^/]+\/(\S+)\. Sent once/.exec(entry.Message ?? '')?.[1] ?? '?';
    return `${rule} ${object}`;
  });
}

describe('the processor on an intact bucket', () => {
  it('verifies every digest and every log file, and alerts nothing', async () => {
    const target = await rig();

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({
      code: verified.code,
      problems: notVerified(verified.lines),
      digests: verified.lines.filter((line) => line.kind === 'digest').length,
      logFiles: verified.lines.filter((line) => line.kind === 'log-file').length,
      alerts: alertsSent(target.sns),
    }).toEqual({ code: 0, problems: [], digests: DIGESTS.length, logFiles: LOGS.length, alerts: [] });
  });

  it('counts each digest verified once, and each listed log file, across the redelivery', async () => {
    const target = await rig();

    await deliverTwice(target);

    expect({
      digests: target.metrics.totals.get('DigestsVerified'),
      logFiles: target.metrics.totals.get('LogFilesVerified'),
      problems: target.metrics.totals.get('IntegrityProblems') ?? 0,
    }).toEqual({ digests: DIGESTS.length, logFiles: LOGS.length, problems: 0 });
  });

  it('asks ListPublicKeys once per region, the answer cached', async () => {
    const target = await rig();
    running().cloudTrail.calls.length = 0;

    await deliverTwice(target);

    expect(running().cloudTrail.calls.map((call) => call.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });
});

describe('the processor catches tampering, names it and alerts it once', () => {
  it('a log file deleted before it was processed: missing', async () => {
    const target = await rig();
    await remove(FILE_0930.key);

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ code: verified.code, problems: notVerified(verified.lines), alerts: alertsSent(target.sns) }).toEqual({
      code: 1,
      problems: [['log-file', FILE_0930.key, 'missing']],
      alerts: [`integrity.log-file-missing ${FILE_0930.key}`],
    });
  });

  it.each([
    ['before it was processed', false],
    ['after its digest verified it, then processed again', true],
  ])('a log file edited %s: altered', async (_, verifiedFirst) => {
    const target = await rig();
    if (verifiedFirst) await deliverTwice(target);
    await put(FILE_1010, FILE_1010.text.replace('"DeleteLoadBalancer"', '"DescribeLoadBalancers"'));

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ problems: notVerified(verified.lines), alerts: alertsSent(target.sns) }).toEqual({
      problems: [['log-file', FILE_1010.key, 'altered']],
      alerts: [`integrity.log-file-altered ${FILE_1010.key}`],
    });
  });

  it('a log file never notified: taken in by its digest, verified, recorded in the ledger with its hash', async () => {
    const target = await rig();

    await deliverTwice(target, [FILE_0930.key]);
    const verified = await verifyTable(target);
    const entry = await new DynamoDBFileLedger({ client: running().client, tableName: target.tableName }).get(
      `s3://${EXAMPLE_BUCKET}/${FILE_0930.key}`,
    );

    expect({ problems: notVerified(verified.lines), processed: entry?.sha256, alerts: alertsSent(target.sns) }).toEqual({
      problems: [],
      processed: sha256Hex(FILE_0930.text),
      alerts: [],
    });
  });

  it('a log file its digest found not processed, still not processed when later digests look: alerted once as never processed', async () => {
    const target = await rig();
    const messages = await notifications([FILE_0930.key]);
    // Every invocation is short of time: a digest's listed log files that the ledger lacks are never taken in.
    const hurried = { getRemainingTimeInMillis: () => 0 };

    for (let round = 0; round < 2; round += 1) {
      for (const message of messages) await target.processor(sqsEventOf([message]), hurried);
    }
    const verified = await verifyTable(target);

    expect({ problems: notVerified(verified.lines), alerts: alertsSent(target.sns) }).toEqual({
      problems: [['log-file', FILE_0930.key, 'not-processed']],
      alerts: [`integrity.log-file-not-processed ${FILE_0930.key}`],
    });
  });

  it('a digest deleted: missing, and the log files only it listed unlisted', async () => {
    const target = await rig();
    await remove(SECOND_DIGEST.key);

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ problems: notVerified(verified.lines), alerts: alertsSent(target.sns).sort() }).toEqual({
      problems: [
        ['digest', SECOND_DIGEST.key, 'missing'],
        ['log-file', FILE_0930.key, 'unlisted'],
        ['log-file', FILE_1010.key, 'unlisted'],
      ],
      alerts: [
        `integrity.digest-missing ${SECOND_DIGEST.key}`,
        `integrity.log-file-unlisted ${FILE_0930.key}`,
        `integrity.log-file-unlisted ${FILE_1010.key}`,
      ],
    });
  });

  it("a digest edited: altered, and the log files it lists chain-broken (its listing can't be trusted)", async () => {
    const target = await rig();
    await put(SECOND_DIGEST, SECOND_DIGEST.text.replace(/"newestEventTime":"[^"]+"/, '"newestEventTime":"2026-11-20T10:00:00Z"'));

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ problems: notVerified(verified.lines), alerts: alertsSent(target.sns) }).toEqual({
      problems: [
        ['digest', SECOND_DIGEST.key, 'altered'],
        ['log-file', FILE_0930.key, 'chain-broken'],
        ['log-file', FILE_1010.key, 'chain-broken'],
      ],
      alerts: [`integrity.digest-invalid ${SECOND_DIGEST.key}`],
    });
  });

  it('a digest whose signature was replaced: invalid-signature', async () => {
    const target = await rig();
    await put(SECOND_DIGEST, SECOND_DIGEST.text, { ...SECOND_DIGEST.metadata, signature: FIRST_DIGEST.metadata?.['signature'] ?? '' });

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ digest: verified.lines.find((line) => line.key === SECOND_DIGEST.key)?.status, alerts: alertsSent(target.sns) }).toEqual({
      digest: 'invalid-signature',
      alerts: [`integrity.digest-invalid ${SECOND_DIGEST.key}`],
    });
  });

  it('a log file no digest lists: unlisted', async () => {
    const target = await rig();
    const planted = { key: FILE_0930.key.replace('T0930Z_R8sW1nYq4ZtE6HjK', 'T0945Z_Zz9Planted0000'), text: '{"Records":[]}' };
    await put(planted);

    await deliverTwice(target);
    const verified = await verifyTable(target);

    expect({ problems: notVerified(verified.lines), alerts: alertsSent(target.sns) }).toEqual({
      problems: [['log-file', planted.key, 'unlisted']],
      alerts: [`integrity.log-file-unlisted ${planted.key}`],
    });
  });
});

describe('a log file and its digest in either order', () => {
  it('processed before its digest arrives: verified', async () => {
    const target = await rig();
    const messages = await notifications();
    const logs = messages.filter((message) => message.objects.some((object) => object.key.includes('/CloudTrail/')));
    const digests = messages.filter((message) => !logs.includes(message));

    await target.processor(sqsEventOf(logs));
    await target.processor(sqsEventOf(digests));
    const verified = await verifyTable(target);

    expect(notVerified(verified.lines)).toEqual([]);
  });

  it('processed after its digest found it not processed (no time left to take it in): resolved, verified', async () => {
    const target = await rig();
    const messages = await notifications();
    const second = messages.filter((message) => message.objects.some((object) => object.key === SECOND_DIGEST.key));
    const late = messages.filter((message) => message.objects.some((object) => object.key === FILE_0930.key));
    const rest = messages.filter((message) => !second.includes(message) && !late.includes(message));
    // The digest's invocation has no time left: its listed log files that the ledger lacks are not taken in.
    const hurried = { getRemainingTimeInMillis: () => 0 };

    await target.processor(sqsEventOf(rest.filter((message) => deliveredAt(message.objects[0]?.key ?? '') < deliveredAt(SECOND_DIGEST.key))));
    await target.processor(sqsEventOf(second), hurried);
    const waiting = await verifyTable(target);
    await target.processor(sqsEventOf(late));
    await target.processor(sqsEventOf(rest.filter((message) => deliveredAt(message.objects[0]?.key ?? '') > deliveredAt(SECOND_DIGEST.key))));
    const resolved = await verifyTable(target);

    expect({
      waiting: notVerified(waiting.lines),
      resolved: notVerified(resolved.lines),
      stored: await storedListing(target, SECOND_DIGEST, FILE_0930),
      alerts: alertsSent(target.sns),
    }).toEqual({
      // The 10:10 file was delivered before the digest; the 09:30 file is the late one.
      waiting: [['log-file', FILE_0930.key, 'not-processed']],
      resolved: [],
      // What the console shows: the digest's listing itself was resolved when the file was processed.
      stored: 'verified',
      alerts: [],
    });
  });
});
