/**
 * The same verdict from every door: a file the Lambda fails or marks gets the same named problems from
 * `trail-audit process` on a copy of it — what the dead-letter runbook (docs/operations.md) relies on. The Lambda
 * door runs with a store that maps every event to its items as the DynamoDB store does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EventStore, Logger, LogObjectSource, Metrics, PutEventsResult } from '../../../lambda/app/ports';
import { createHandler } from '../../../lambda/app/processor';
import { runProcess } from '../../../lambda/cli/commands/process';
import { toItems } from '../../../lambda/core/item-mapping';
import type { KeptEvent, RecordProblem } from '../../../lambda/core/pipeline';
import { FakeLedger } from '../../helpers/fakes';
import { chunked } from '../../helpers/fixtures';
import { HOSTILE_RECORDS, logFileOfTexts, recordText } from '../../helpers/hostile-records';
import { sqsEventOf } from '../../helpers/s3-events';
import { captureIO } from '../cli/capture-io';

const BUCKET = 'trail-bucket';
const PREFIX = 'AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1005Z_';

/** A store that maps each event to its DynamoDB items, as the real one does before writing them. */
class MappingStore implements EventStore {
  putEvents(events: readonly KeptEvent[]): Promise<PutEventsResult> {
    return Promise.resolve({ itemsWritten: events.reduce((sum, kept) => sum + toItems(kept).length, 0), retries: 0 });
  }
}

const files: Readonly<Record<string, Buffer>> = {
  hostile: gzipSync(
    logFileOfTexts([
      recordText('valid-1'),
      HOSTILE_RECORDS.deep('deep'),
      HOSTILE_RECORDS.impossibleDate('impossible-date'),
      HOSTILE_RECORDS.longEventId('long-event-id'),
      HOSTILE_RECORDS.fanOut('fan-out', 2_500),
      HOSTILE_RECORDS.oversized('oversized'),
      recordText('valid-2'),
    ]),
  ),
  truncated: gzipSync(logFileOfTexts([recordText('t-1'), recordText('t-2')]).slice(0, -40)),
  garbage: gzipSync(`${logFileOfTexts([recordText('g-1')])} trailing`),
};

/** What the Lambda door logged of each file: its named problems, and its error message without the object's name. */
async function lambdaVerdicts(): Promise<Record<string, { problems: string[]; error?: string }>> {
  const logged: Record<string, unknown>[] = [];
  const logger: Logger = { info: (_m, a) => logged.push(a), warn: (_m, a) => logged.push(a), error: (_m, a) => logged.push(a) };
  const source: LogObjectSource = {
    open: (_bucket, key) => Promise.resolve({ body: chunked(files[key.slice(PREFIX.length, -'.json.gz'.length)] ?? Buffer.alloc(0), 4096) }),
  };
  const metrics: Metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
  const handler = createHandler({ source, store: new MappingStore(), ledger: new FakeLedger(), logger, metrics, config: { dropReadOnly: false } });
  await handler(sqsEventOf(Object.keys(files).map((name) => ({ id: name, objects: [{ bucket: BUCKET, key: `${PREFIX}${name}.json.gz` }] }))));
  return Object.fromEntries(
    Object.keys(files).map((name) => {
      const line = logged.find((attributes) => attributes.key === `${PREFIX}${name}.json.gz`) ?? {};
      const problems = ((line.problems ?? []) as RecordProblem[]).map(
        (problem) => `record ${problem.index} (byte ${problem.offset}): ${problem.problem}: ${problem.reason}`,
      );
      const error = typeof line.errorMessage === 'string' ? withoutObjectName(line.errorMessage) : undefined;
      return [name, { problems, ...(error === undefined ? {} : { error }) }];
    }),
  );
}

/** What `process` printed on stderr of each file, in the same shape. */
async function processVerdicts(): Promise<Record<string, { problems: string[]; error?: string }>> {
  const folder = await mkdtemp(path.join(tmpdir(), 'trail-audit-verdict-'));
  try {
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(folder, `${name}.json.gz`), bytes);
    const io = captureIO(folder);
    await runProcess(Object.keys(files).map((name) => `${name}.json.gz`), { json: true }, io);
    return Object.fromEntries(
      Object.keys(files).map((name) => {
        const lines = io.stderr.lines();
        const prefix = `trail-audit: ${name}.json.gz: `;
        const problems = lines.filter((line) => line.startsWith(`${prefix}record `)).map((line) => line.slice(prefix.length));
        const failure = lines.find((line) => line.startsWith(`trail-audit: Cannot decode log object "${name}.json.gz"`));
        return [name, { problems, ...(failure === undefined ? {} : { error: withoutObjectName(failure) }) }];
      }),
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A decode error's message from the object's name on (the Lambda names the key, `process` the path). */
function withoutObjectName(message: string): string {
  return message.replace(/^.*?Cannot decode log object ".*?": /, '');
}

describe('the Lambda door and process on the same files', () => {
  it('name the same problems, by the same positions and in the same words', async () => {
    // Act
    const [lambda, cli] = await Promise.all([lambdaVerdicts(), processVerdicts()]);

    // Assess
    expect(cli).toEqual(lambda);
  });

  it('have something to name in every file: marked records, a truncated file, trailing garbage', async () => {
    // Act
    const lambda = await lambdaVerdicts();

    // Assess
    expect({
      hostile: lambda.hostile?.problems.map((problem) => problem.split(': ')[1]),
      truncated: lambda.truncated?.error !== undefined,
      garbage: lambda.garbage?.error !== undefined,
    }).toEqual({
      hostile: ['invalid-record', 'invalid-record', 'invalid-record', 'resources-omitted', 'record-trimmed'],
      truncated: true,
      garbage: true,
    });
  });
});
