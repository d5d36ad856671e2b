/**
 * The log-object service on its own, with fakes behind its ports: what each door can ask of it (routing, dry run,
 * time range, events already taken in this run, interrupts) and what it records in the ledger.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  LogObjectService,
  type LogObjectInput,
  type LogObjectServiceDeps,
} from '../../../lambda/app/log-object-service';
import { FakeCheckpoints, FakeLedger, FakeStore } from '../../helpers/fakes';
import { MAX_RESOURCES_PER_EVENT } from '../../../lambda/core/limits';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { HOSTILE_RECORDS, logFileOfTexts } from '../../helpers/hostile-records';

const NOW = new Date('2026-11-21T12:00:00Z');
const LOG_KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_a.json.gz';

function setup(deps: Partial<LogObjectServiceDeps> = {}): { service: LogObjectService; store: FakeStore; ledger: FakeLedger } {
  const store = new FakeStore();
  const ledger = new FakeLedger();
  const service = new LogObjectService({ store, ledger, dropReadOnly: false, now: () => NOW, flushEvents: 2, ...deps });
  return { service, store, ledger };
}

/** An object whose bytes come in chunks of `chunkSize`, counting how many chunks were read. */
function input(key: string, bytes: Buffer, options: { routing?: 'strict' | 'lenient'; chunkSize?: number; onChunk?: () => void } = {}): LogObjectInput {
  const chunkSize = options.chunkSize ?? 64;
  return {
    objectId: `s3://bucket/${key}`,
    key,
    fingerprint: 'etag-1',
    routing: options.routing ?? 'strict',
    open: () =>
      Promise.resolve({
        body: (async function* () {
          for (let start = 0; start < bytes.length; start += chunkSize) {
            options.onChunk?.();
            yield await Promise.resolve(bytes.subarray(start, start + chunkSize));
          }
        })(),
        etag: 'etag-1',
      }),
  };
}

const deletes = (prefix: string, n: number): ReturnType<typeof record>[] =>
  Array.from({ length: n }, (_, i) => record({ eventID: `${prefix}-${i}`, eventName: 'DeleteLoadBalancer', readOnly: false }));

describe('LogObjectService', () => {
  it('stores an object in batches and records it in the ledger with its events and the injected time', async () => {
    const { service, store, ledger } = setup();

    const bytes = gzippedLogFile(deletes('a', 3));

    const outcome = await service.process(input(LOG_KEY, bytes));

    expect({ status: outcome.status, written: store.eventIDs, entry: ledger.entries.get(`s3://bucket/${LOG_KEY}`) }).toEqual({
      status: 'processed',
      written: ['a-0', 'a-1', 'a-2'],
      entry: {
        objectId: `s3://bucket/${LOG_KEY}`,
        fingerprint: 'etag-1',
        events: 3,
        processedAt: NOW.toISOString(),
        sha256: createHash('sha256').update(gunzipSync(bytes)).digest('hex'),
      },
    });
  });

  it('skips by key what strict routing does not read, and reads it by content when routing is lenient', async () => {
    const { service, store } = setup();
    const bytes = gzippedLogFile(deletes('b', 1));

    const strict = await service.process(input('exports/trail.json.gz', bytes));
    const lenient = await service.process(input('exports/trail.json.gz', bytes, { routing: 'lenient' }));
    const digest = await service.process(input('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/d.json.gz', bytes, { routing: 'lenient' }));

    expect([strict, lenient, digest].map((o) => (o.status === 'skipped' ? o.reason : o.status))).toEqual([
      'not-a-log-file',
      'processed',
      'digest-file',
    ]);
    expect(store.eventIDs).toEqual(['b-0']);
  });

  it('writes nothing in a dry run, yet counts what it read', async () => {
    const { service, store, ledger } = setup();

    const outcome = await service.process(input(LOG_KEY, gzippedLogFile(deletes('c', 3))), { dryRun: true });

    expect({ kept: outcome.counts.kept, events: outcome.stored.events, written: store.eventIDs, ledger: ledger.entries.size }).toEqual({
      kept: 3,
      events: 3,
      written: [],
      ledger: 0,
    });
  });

  it('does not write again an event another object took in this run, yet counts it as this object’s', async () => {
    const { service, store, ledger } = setup();
    const storedInRun = new Set(['d-1']);

    const outcome = await service.process(input(LOG_KEY, gzippedLogFile(deletes('d', 3))), { storedInRun });

    expect({
      written: store.eventIDs,
      duplicates: outcome.counts.skipped['duplicate-event'],
      kept: outcome.counts.kept,
      ledgerEvents: ledger.entries.get(`s3://bucket/${LOG_KEY}`)?.events,
      run: [...storedInRun].sort(),
    }).toEqual({ written: ['d-0', 'd-2'], duplicates: 1, kept: 2, ledgerEvents: 3, run: ['d-0', 'd-1', 'd-2'] });
  });

  it('stores only the events of the time range and leaves the object out of the ledger when some were outside', async () => {
    const { service, store, ledger } = setup();
    const records = [record({ eventID: 'e-in', eventTime: '2026-11-20T10:00:00Z' }), record({ eventID: 'e-out', eventTime: '2026-11-19T10:00:00Z' })];

    const outcome = await service.process(input(LOG_KEY, gzippedLogFile(records)), { range: { since: new Date('2026-11-20T00:00:00Z') } });

    expect({ written: store.eventIDs, outside: outcome.stored.outsideRange, kept: outcome.counts.kept, ledger: ledger.entries.size }).toEqual({
      written: ['e-in'],
      outside: 1,
      kept: 1,
      ledger: 0,
    });
  });

  it('counts the trimmed records and omitted resources of the events it stores, not of those it leaves out', async () => {
    const { service } = setup();
    const texts = [HOSTILE_RECORDS.oversized('big-out'), HOSTILE_RECORDS.fanOut('wide-out', 2_500)].map((text) =>
      text.replace('"2026-11-20T10:00:00Z"', '"2026-11-19T10:00:00Z"'),
    );
    const bytes = Buffer.from(logFileOfTexts([...texts, HOSTILE_RECORDS.oversized('big-in'), HOSTILE_RECORDS.fanOut('wide-in', 2_500)]));

    const outcome = await service.process(input(LOG_KEY, bytes), { range: { since: new Date('2026-11-20T00:00:00Z') } });

    expect({ trimmed: outcome.counts.recordsTrimmed, omitted: outcome.counts.resourcesOmitted }).toEqual({
      trimmed: 1,
      omitted: 2_501 - MAX_RESOURCES_PER_EVENT,
    });
  });

  it('stops between two chunks once interrupted, even where no event is kept, and writes no ledger entry', async () => {
    const controller = new AbortController();
    const { service, ledger } = setup();
    // Many records of another service: the pipeline yields nothing while it reads them.
    const other = Array.from({ length: 200 }, (_, i) => record({ eventID: `iam-${i}`, eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' }));
    let chunks = 0;

    const outcome = await service.process(
      input(LOG_KEY, gzippedLogFile(other), {
        chunkSize: 16,
        onChunk: () => {
          chunks += 1;
          if (chunks === 3) controller.abort();
        },
      }),
      { signal: controller.signal },
    );

    expect({ status: outcome.status, chunks, ledger: ledger.entries.size }).toEqual({ status: 'interrupted', chunks: 3, ledger: 0 });
  });

  it('skips without opening an object the ledger holds with the same version, unless forced', async () => {
    const { service, ledger } = setup();
    ledger.entries.set(`s3://bucket/${LOG_KEY}`, { objectId: `s3://bucket/${LOG_KEY}`, fingerprint: 'etag-1', events: 1, processedAt: 'x' });
    let opened = 0;
    const object = input(LOG_KEY, gzippedLogFile(deletes('f', 1)));
    const counted: LogObjectInput = { ...object, open: () => ((opened += 1), object.open()) };

    const skipped = await service.process(counted);
    const forced = await service.process(counted, { force: true });

    expect({ skipped: skipped.status === 'skipped' ? skipped.reason : skipped.status, forced: forced.status, opened }).toEqual({
      skipped: 'already-processed',
      forced: 'processed',
      opened: 1,
    });
  });
});

describe('LogObjectService checkpoints of interrupted objects', () => {
  /** Processes the object, interrupting it once `after` events are stored. */
  async function interruptedRun(service: LogObjectService, bytes: Buffer, after: number) {
    const controller = new AbortController();
    return service.process(input(LOG_KEY, bytes, { chunkSize: 16 }), {
      signal: controller.signal,
      onProgress: ({ eventsStored }) => {
        if (eventsStored >= after) controller.abort();
      },
    });
  }

  it('records how many records an interrupted object had stored', async () => {
    const checkpoints = new FakeCheckpoints();
    const { service } = setup({ checkpoints });

    const outcome = await interruptedRun(service, gzippedLogFile(deletes('k', 5)), 2);

    expect({ status: outcome.status, checkpoint: checkpoints.entries.get(`s3://bucket/${LOG_KEY}`) }).toEqual({
      status: 'interrupted',
      checkpoint: { objectId: `s3://bucket/${LOG_KEY}`, fingerprint: 'etag-1', records: 2, selection: '..' },
    });
  });

  it('does not write again, on the next run, what the interrupted run stored, and removes the checkpoint when done', async () => {
    const checkpoints = new FakeCheckpoints();
    const { service, store, ledger } = setup({ checkpoints });
    const bytes = gzippedLogFile(deletes('r', 5));
    await interruptedRun(service, bytes, 2);
    store.batches.length = 0;

    const outcome = await service.process(input(LOG_KEY, bytes));

    expect({
      written: store.eventIDs,
      resumed: outcome.stored.resumed,
      ledgerEvents: ledger.entries.get(`s3://bucket/${LOG_KEY}`)?.events,
      checkpoint: checkpoints.entries.size,
    }).toEqual({ written: ['r-2', 'r-3', 'r-4'], resumed: 2, ledgerEvents: 5, checkpoint: 0 });
  });

  it('reads the whole object again when forced, and removes the interrupted run\'s checkpoint once done', async () => {
    const checkpoints = new FakeCheckpoints();
    const { service, store } = setup({ checkpoints });
    const bytes = gzippedLogFile(deletes('f', 5));
    await interruptedRun(service, bytes, 2);
    const left = checkpoints.entries.size;
    store.batches.length = 0;

    const outcome = await service.process(input(LOG_KEY, bytes), { force: true });

    expect({ left, status: outcome.status, written: store.eventIDs, checkpoint: checkpoints.entries.size }).toEqual({
      left: 1,
      status: 'processed',
      written: ['f-0', 'f-1', 'f-2', 'f-3', 'f-4'],
      checkpoint: 0,
    });
  });

  it('reads the whole object again when the next run selects another time range', async () => {
    const checkpoints = new FakeCheckpoints();
    const { service, store } = setup({ checkpoints });
    const bytes = gzippedLogFile(deletes('t', 5));
    await interruptedRun(service, bytes, 2);
    store.batches.length = 0;

    await service.process(input(LOG_KEY, bytes), { range: { since: new Date('2020-01-01T00:00:00Z') } });

    expect(store.eventIDs).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4']);
  });
});
