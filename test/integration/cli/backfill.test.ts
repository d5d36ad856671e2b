/**
 * `trail-audit backfill` against a fake Step Functions (no local server runs Distributed Map) and a fake
 * CloudFormation on 127.0.0.1, reached by the CLI's real SDK clients through the SDK's standard configuration
 * (`AWS_ENDPOINT_URL_SFN`, `AWS_ENDPOINT_URL_CLOUDFORMATION`, `AWS_REGION`, credentials from the environment); and
 * `--dry-run` against s3rver. The fake moves map runs on as they are polled, pages its lists and throttles on
 * demand (test/helpers/fake-step-functions.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliDeps } from '../../../lambda/cli/main';
import { FakeStepFunctions, type ScriptedExecution } from '../../helpers/fake-step-functions';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { startS3rver, type LocalS3 } from '../../helpers/s3rver';
import { startServers } from '../../helpers/servers';
import { captureIO, captureSink, type CapturedIO } from '../../unit/cli/capture-io';

jest.setTimeout(60_000);

const TABLE = 'trail-audit-events';
const RESULTS = 's3://backfill-results/runs/';
const NOW = new Date('2026-11-21T12:00:00Z');
const POLL = { pollIntervalMs: 5 } as const;
const LOG_BUCKET = 'trail-audit-dry-run';
const ORG_FOLDER = 'trail/AWSLogs/o-abcdefghij/';

let fake: FakeStepFunctions | undefined;
let s3: LocalS3 | undefined;
let workDir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-backfill-cli-'));
  await startServers([
    FakeStepFunctions.start().then((started) => {
      fake = started;
    }),
    startS3rver([LOG_BUCKET]).then((started) => {
      s3 = started;
    }),
  ]);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDBACKFILLCLI',
    AWS_SECRET_ACCESS_KEY: 'backfill-cli',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SFN: sfn().endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: sfn().endpoint,
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([fake?.stop(), s3?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  const service = sfn();
  service.reset();
  service.stacks = [
    { name: 'OtherApp', outputs: { EventTableName: 'something-else' } },
    {
      name: 'TrailAudit',
      outputs: {
        EventTableName: TABLE,
        BackfillStateMachineArn: service.stateMachineArn,
        LogBucketName: LOG_BUCKET,
        LogPrefix: 'AWSLogs/',
        BackfillResultsBucketName: 'backfill-results',
      },
    },
  ];
});

function sfn(): FakeStepFunctions {
  if (fake === undefined) throw new Error('the fake Step Functions did not start');
  return fake;
}

/** A captured environment whose stderr is a terminal, so the progress line is drawn, on the real clock (the rate). */
function terminalIO(): CapturedIO {
  const io = captureIO(workDir, NOW);
  return { ...io, stderr: captureSink(true, 200), now: () => new Date() };
}

async function run(argv: readonly string[], io: CapturedIO = captureIO(workDir, NOW), deps: CliDeps = POLL) {
  const code = await main(argv, io, deps);
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text(), io };
}

/** What was drawn on the terminal, each redraw of the line (`\r`, clear line, text) on its own. */
function drawn(stderr: string): string[] {
  return stderr.split('\r\x1b[2K').map((part) => part.trimEnd());
}

function script(runs: ScriptedExecution['runs'], end?: ScriptedExecution['end']): ScriptedExecution {
  return {
    plan: { source: 'listing', units: runs.map((_, index) => `unit-${index}/`), results: `${RESULTS}NAME/`, summary: 'the range' },
    runs,
    ...(end === undefined ? {} : { end }),
  };
}

describe('backfill: starting an execution', () => {
  it('finds the workflow by the table\'s stack, starts it with the range as instants and prints the execution ARN', async () => {
    sfn().nextExecution = script([{ total: 10, perPoll: 10 }]);

    const result = await run([
      'backfill', '--table', TABLE, '--since', '2024-01-01', '--until', '2024-12-31',
      '--accounts', '111122223333,444455556666', '--regions', 'eu-west-1', '--max-concurrency', '40',
    ]);

    const start = sfn().calls('StartExecution')[0]?.body;
    expect({ code: result.code, stdout: result.stdout, start }).toEqual({
      code: 0,
      stdout: `${sfn().stateMachineArn.replace(':stateMachine:', ':execution:')}:backfill-20240101-20250101-20261121T120000Z\n`,
      start: {
        stateMachineArn: sfn().stateMachineArn,
        name: 'backfill-20240101-20250101-20261121T120000Z',
        input: JSON.stringify({
          since: '2024-01-01T00:00:00.000Z',
          until: '2024-12-31T23:59:59.999Z',
          accounts: ['111122223333', '444455556666'],
          regions: ['eu-west-1'],
          maxConcurrency: 40,
        }),
      },
    });
  });

  it('refuses a range that overlaps a running execution\'s, starting nothing', async () => {
    const running = sfn().addRunning('backfill-other', { since: '2024-06-01T00:00:00Z', until: '2025-01-31T00:00:00Z' });

    const result = await run(['backfill', '--table', TABLE, '--since', '2024-01-01', '--until', '2024-12-31']);

    expect({ code: result.code, starts: sfn().calls('StartExecution').length, stderr: result.stderr }).toEqual({
      code: 3,
      starts: 0,
      stderr: expect.stringContaining(`execution ${running} is running over 2024/06/01–2025/02/01 (delivery days)`) as unknown,
    });
  });

  it('starts beside a running execution over other accounts', async () => {
    const running = sfn().addRunning('backfill-other-accounts', { since: '2024-01-01', accounts: ['999988887777'] });
    sfn().nextExecution = script([{ total: 5, perPoll: 5 }]);

    const result = await run(['backfill', '--table', TABLE, '--since', '2024-01-01', '--accounts', '111122223333']);

    expect({ code: result.code, other: sfn().statusOf(running) }).toEqual({ code: 0, other: 'RUNNING' });
  });

  it('returns at once with --detach, saying how to follow', async () => {
    sfn().nextExecution = script([{ total: 100, perPoll: 1 }]);

    const result = await run(['backfill', '--table', TABLE, '--since', '7d', '--detach']);

    expect({ code: result.code, polls: sfn().calls('DescribeMapRun').length, stderr: result.stderr }).toEqual({
      code: 0,
      polls: 0,
      stderr: expect.stringContaining('detached; follow it with: trail-audit backfill --status arn:aws:states:') as unknown,
    });
  });

  it('says which stacks it looked at when none outputs the table', async () => {
    const result = await run(['backfill', '--table', 'no-such-table', '--since', '7d']);

    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 3,
      stderr: 'trail-audit: no CloudFormation stack in us-east-1 outputs EventTableName no-such-table: check --table and --region, or name the workflow with --state-machine\n',
    });
  });

  it('needs --since', async () => {
    const result = await run(['backfill', '--table', TABLE]);

    expect({ code: result.code, requests: sfn().requests.length }).toEqual({ code: 2, requests: 0 });
  });

  it('names the flag of a bad range', async () => {
    const result = await run(['backfill', '--table', TABLE, '--since', '2024-01-01', '--accounts', '12345']);

    expect(result.stderr).toBe(
      'trail-audit: --accounts: each entry must be a 12-digit account ID, got "12345"\n',
    );
  });
});

describe('backfill: following an execution', () => {
  it('draws the map runs\' counts as they progress, then ends with a summary', async () => {
    sfn().nextExecution = script([
      { total: 300, perPoll: 100 },
      { total: 200, perPoll: 100 },
    ]);

    const result = await run(['backfill', '--table', TABLE, '--since', '2026-11-01'], terminalIO());

    const lines = drawn(result.stderr);
    expect({ code: result.code, lines: lines.slice(1) }).toEqual({
      code: 0,
      lines: [
        // Until a run has ended, the size of the runs not started is unknown: no ETA, the bar over what is listed.
        expect.stringMatching(/^\[#{8}·{16}\] run 1\/2 · 100\/300 objects · 0 failed · [\d,]+ objects\/s · ETA --:--$/),
        expect.stringMatching(/^\[#{16}·{8}\] run 1\/2 · 200\/300 objects · 0 failed · /),
        // Then the run not started is taken to be as large as the ended one: half done.
        expect.stringMatching(/^\[#{12}·{12}\] run 1\/2 · 300\/300 objects · 0 failed · [\d,]+ objects\/s · ETA \d+:\d\d$/),
        expect.stringMatching(/^\[#{19}·{5}\] run 2\/2 · 400\/500 objects · 0 failed · /),
        expect.stringMatching(/^\[#{23}·\] run 2\/2 · 500\/500 objects · 0 failed · /),
        expect.stringMatching(/^backfill: SUCCEEDED in \d+:\d\d — 500 objects in 2 map runs \(500 succeeded, 0 failed\)$/),
      ] as unknown,
    });
  });

  it('ends with exit code 1 and the location of the failed keys when a map run ends with failures', async () => {
    sfn().nextExecution = script([{ total: 300, failed: 100, perPoll: 150 }]);

    const result = await run(['backfill', '--table', TABLE, '--since', '2026-11-01']);

    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: expect.stringContaining(
        `(200 succeeded, 100 failed)\nbackfill: failed keys: the FAILED_*.json files under ${RESULTS}NAME/`,
      ) as unknown,
    });
  });

  it('ends with exit code 3 and the error when the execution fails', async () => {
    sfn().nextExecution = script([{ total: 100, failed: 60, perPoll: 100 }], {
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The number of failed items exceeds the tolerated failure threshold.',
    });

    const result = await run(['backfill', '--table', TABLE, '--since', '2026-11-01']);

    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 3,
      stderr: expect.stringContaining(
        'backfill: States.ExceedToleratedFailureThreshold: The number of failed items exceeds the tolerated failure threshold.',
      ) as unknown,
    });
  });

  it('rides out throttling of its polls, beyond the SDK\'s own retries', async () => {
    sfn().nextExecution = script([{ total: 200, perPoll: 100 }]);
    let describes = 0;
    // Four throttled calls in a row: more than the SDK's three attempts, so one poll is lost and skipped.
    sfn().throttle = (operation) => operation === 'DescribeMapRun' && ++describes >= 2 && describes <= 5;

    const result = await run(['backfill', '--table', TABLE, '--since', '2026-11-01']);

    expect({ code: result.code, throttled: describes > 5, summary: result.stderr }).toEqual({
      code: 0,
      throttled: true,
      summary: expect.stringContaining('200 objects in 1 map run (200 succeeded, 0 failed)') as unknown,
    });
  });

  it('detaches on Ctrl-C without stopping the execution, and --status follows it again to the end', async () => {
    sfn().nextExecution = script([{ total: 1_000, perPoll: 100 }]);
    const io = captureIO(workDir, NOW);
    let polls = 0;
    sfn().onRequest = (operation) => {
      if (operation === 'DescribeMapRun' && ++polls === 3) io.controller.abort();
    };

    const detached = await run(['backfill', '--table', TABLE, '--since', '2026-11-01'], io);
    const executionArn = detached.stdout.trim();
    const statusAfterDetach = sfn().statusOf(executionArn);
    sfn().onRequest = () => undefined;
    const name = executionArn.split(':').pop() ?? '';
    const reattached = await run(['backfill', '--table', TABLE, '--status', name]);

    expect({
      detached: detached.code,
      message: detached.stderr.includes(`backfill: detached; the execution goes on in AWS. Re-attach with: trail-audit backfill --status ${executionArn}`),
      stops: sfn().calls('StopExecution').length,
      statusAfterDetach,
      reattached: reattached.code,
      summary: reattached.stderr.trimEnd().split('\n').pop(),
    }).toEqual({
      detached: 0,
      message: true,
      stops: 0,
      statusAfterDetach: 'RUNNING',
      reattached: 0,
      summary: expect.stringMatching(/1,000 objects in 1 map run \(1,000 succeeded, 0 failed\)$/) as unknown,
    });
  });

  it('says so when --status names no execution', async () => {
    const result = await run(['backfill', '--status', `${sfn().stateMachineArn.replace(':stateMachine:', ':execution:')}:nope`]);

    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 3,
      stderr: expect.stringContaining('no execution arn:aws:states:us-east-1:123456789012:execution:Backfill:nope') as unknown,
    });
  });
});

describe('backfill --dry-run', () => {
  it('counts the log files and bytes of the range through the ingest listing, estimates cost and time, and starts nothing', async () => {
    const store = s3;
    if (store === undefined) throw new Error('s3rver did not start');
    let bytes = 0;
    const put = async (account: string, region: string, day: string, body: Buffer): Promise<void> => {
      await store.putObject(
        LOG_BUCKET,
        `${ORG_FOLDER}${account}/CloudTrail/${region}/2026/11/${day}/${account}_CloudTrail_${region}_202611${day}T1000Z_${bytes}.json.gz`,
        body,
      );
    };
    for (const [account, region, day] of [
      ['111122223333', 'us-east-1', '20'],
      ['111122223333', 'us-east-1', '21'],
      ['111122223333', 'eu-west-1', '22'],
      ['444455556666', 'us-east-1', '20'],
    ] as const) {
      const body = gzippedLogFile([record(), record()]);
      bytes += body.length;
      await put(account, region, day, body);
    }
    // Outside the range (the day folder before --since), and an account not asked for.
    await put('111122223333', 'us-east-1', '19', gzippedLogFile([record()]));

    const result = await run(
      [
        'backfill', '--dry-run', '--logs', `s3://${LOG_BUCKET}/${ORG_FOLDER}`, '--since', '2026-11-20', '--until', '2026-11-21',
        '--accounts', '111122223333,444455556666', '--regions', 'us-east-1,eu-west-1', '--max-concurrency', '8',
      ],
      captureIO(workDir, NOW),
      { ...POLL, s3Client: store.client },
    );

    expect({ code: result.code, requests: sfn().requests.length, stdout: result.io.stdout.lines() }).toEqual({
      code: 0,
      requests: 0,
      stdout: [
        'range: 2026/11/20–2026/11/22 (delivery days), accounts 111122223333, 444455556666, regions eu-west-1, us-east-1',
        `where: s3://${LOG_BUCKET}/${ORG_FOLDER}: 2 accounts, 4 region folders; 8 listing runs (month folders, log and digest)`,
        `log files: 4, ${(bytes / 1000).toFixed(1)} KB compressed (digest files are read too, not counted)`,
        // 8 listing runs of about 15 s each outweigh 4 small files.
        'time: about 2 min at 8 workers (--max-concurrency), if the table absorbs the writes',
        expect.stringMatching(/^cost: about < \$0\.01 \(Step Functions < \$0\.01, Lambda < \$0\.01, S3 < \$0\.01, ledger < \$0\.01\), plus the events' writes: 5–10 WRU each \(\$3\.10–\$6\.25 per million events\)/) as unknown,
      ],
    });
  });
});
