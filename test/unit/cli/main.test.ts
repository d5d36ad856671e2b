import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { COMMANDS, main } from '../../../lambda/cli/main';
import { version } from '../../../package.json';
import type { NormalisedEvent } from '../../../lambda/core/types';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { captureIO } from './capture-io';

/** Fails the test if a command tries to start the embedded DynamoDB Local: unit tests must not need it. */
const noServer = {
  startLocal: () => Promise.reject(new Error('unit tests start no server')),
};

const DELETE = record({
  eventName: 'DeleteLoadBalancer',
  readOnly: false,
  requestParameters: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/0123456789abcdef' },
});
const DESCRIBE = record({ eventName: 'DescribeLoadBalancers', readOnly: true });
const OTHER_SERVICE = record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' });

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'trail-audit-cli-'));
  await writeFile(join(folder, 'a.json.gz'), gzippedLogFile([DELETE, DESCRIBE, OTHER_SERVICE]));
  // The same events again, as a redelivered file would hold them.
  await writeFile(join(folder, 'b.json.gz'), gzippedLogFile([DELETE, DESCRIBE]));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('trail-audit usage', () => {
  it('exits 0 after --help', async () => {
    const io = captureIO(folder);

    const code = await main(['--help'], io, noServer);

    expect(code).toBe(0);
  });

  it('lists the commands and the exit codes in --help', async () => {
    const io = captureIO(folder);

    await main(['--help'], io, noServer);

    expect(io.stdout.text()).toMatch(/process[\s\S]*ingest[\s\S]*query[\s\S]*show[\s\S]*Exit codes:/);
  });

  it('prints the version of package.json with --version', async () => {
    const io = captureIO(folder);

    const code = await main(['--version'], io, noServer);

    expect({ code, stdout: io.stdout.text() }).toEqual({ code: 0, stdout: `${version}\n` });
  });

  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    'lists %s in --help as its module registers it',
    async (_, entry) => {
      const program = new Command('trail-audit');

      (await entry.load())(program, captureIO(folder), () => undefined, noServer);

      const [command] = program.commands;
      expect({ name: command?.name(), usage: command?.usage(), summary: command?.summary() }).toEqual({
        name: entry.name,
        usage: entry.usage,
        summary: entry.summary,
      });
    },
  );

  it.each([['query'], ['ingest'], ['process'], ['show']])('has --help for %s', async (command) => {
    const io = captureIO(folder);

    const code = await main([command, '--help'], io, noServer);

    expect({ code, usage: io.stdout.text().startsWith(`Usage: trail-audit ${command}`) }).toEqual({ code: 0, usage: true });
  });

  it.each([
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['query', '--principle', 'x']],
    ['a missing argument', ['process']],
    ['no command', []],
    ['a bad --since', ['query', '--resource', 'web', '--since', 'yesterday']],
    ['a query without a selector', ['query']],
    ['a bad --limit', ['query', '--action', 'DeleteLoadBalancer', '--limit', 'ten']],
    ['a bad --concurrency', ['ingest', '.', '--concurrency', '0']],
    ['an S3 URL given to process', ['process', 's3://my-trail-bucket/AWSLogs/']],
    ['--endpoint without --table', ['show', 'some-event-id', '--endpoint', 'http://127.0.0.1:8000']],
  ])('exits 2 on %s, before starting anything', async (_, argv) => {
    const io = captureIO(folder);

    const code = await main(argv, io, noServer);

    expect(code).toBe(2);
  });

  it('says what was wrong on stderr', async () => {
    const io = captureIO(folder);

    await main(['query', '--resource', 'web', '--since', 'yesterday'], io, noServer);

    expect(io.stderr.text()).toContain("--since 'yesterday' is not a time");
  });

  it('exits 3 when the target cannot be opened', async () => {
    const io = captureIO(folder);
    await mkdir(join(folder, '.trail-audit'));

    const code = await main(['show', 'some-event-id'], io, noServer);

    expect({ code, stderr: io.stderr.text() }).toEqual({ code: 3, stderr: 'trail-audit: Error: unit tests start no server\n' });
  });
});

describe('the embedded default without a data folder', () => {
  it('answers a query with no events, says there is no local data and where it looked, and creates nothing', async () => {
    const io = captureIO(folder);

    const code = await main(['query', '--resource', 'web'], io, noServer);

    expect({ code, stderr: io.stderr.text(), created: existsSync(join(folder, '.trail-audit')) }).toEqual({
      code: 0,
      stderr: expect.stringContaining(`no local data: no .trail-audit/ folder in ${folder} or any folder above it`) as unknown,
      created: false,
    });
  });

  it('says show finds no event because there is no local data, and exits 1', async () => {
    const io = captureIO(folder);

    const code = await main(['show', 'some-event-id'], io, noServer);

    expect({ code, stderr: io.stderr.text() }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^trail-audit: no event some-event-id: no local data/) as unknown,
    });
  });

  it('says local status that there is no data folder and no server', async () => {
    const io = captureIO(folder);

    const code = await main(['local', 'status'], io, noServer);

    expect({ code, lines: io.stdout.lines().slice(0, 2) }).toEqual({
      code: 0,
      lines: [expect.stringMatching(/^data folder: none/) as unknown, 'server: not running'],
    });
  });
});

describe('trail-audit process', () => {
  it('prints each kept event once per run as NDJSON with --json', async () => {
    const io = captureIO(folder);

    const code = await main(['process', '--json', '.'], io, noServer);

    const events = io.stdout.lines().map((line) => JSON.parse(line) as NormalisedEvent);
    expect({ code, ids: events.map((event) => event.eventID) }).toEqual({ code: 0, ids: [DELETE.eventID, DESCRIBE.eventID] });
  });

  it('prints the normalised event contract', async () => {
    const io = captureIO(folder);

    await main(['process', '--json', 'a.json.gz'], io, noServer);

    const first = JSON.parse(io.stdout.lines()[0] ?? '{}') as NormalisedEvent;
    expect(first).toEqual({
      eventID: DELETE.eventID,
      eventTime: '2026-11-20T10:00:00Z',
      service: 'elbv2',
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: 'DeleteLoadBalancer',
      awsRegion: 'us-west-2',
      accountId: '123456789012',
      readOnly: false,
      sourceIPAddress: '198.51.100.1',
      principal: expect.objectContaining({ type: 'IAMUser', id: 'arn:aws:iam::123456789012:user/Alice' }) as unknown,
      resources: [expect.objectContaining({ name: 'web' }) as unknown],
    });
  });

  it('leaves out read-only calls with --drop-read-only', async () => {
    const io = captureIO(folder);

    await main(['process', '--json', '--drop-read-only', 'a.json.gz'], io, noServer);

    expect(io.stdout.lines()).toHaveLength(1);
  });

  it('prints a table with a heading by default', async () => {
    const io = captureIO(folder);

    await main(['process', 'a.json.gz'], io, noServer);

    expect(io.stdout.lines()[0]).toMatch(/^TIME\s+SERVICE\s+PRINCIPAL\s+ACTION\s+RESOURCES\s+REGION\s+ERROR$/);
  });

  it('summarises files, records, kept and skipped by reason on stderr', async () => {
    const io = captureIO(folder);

    await main(['process', '.'], io, noServer);

    expect(io.stderr.text()).toBe(
      'process: 2 files, 5 records, 2 kept; skipped: duplicate-event 2, other-service 1\n',
    );
  });

  it('names a corrupt file on stderr, reads the others, and exits 1', async () => {
    const whole = gzippedLogFile([record({ eventName: 'CreateLoadBalancer' })]);
    await writeFile(join(folder, 'truncated.json.gz'), whole.subarray(0, whole.length - 20));
    const io = captureIO(folder);

    const code = await main(['process', '--json', 'truncated.json.gz', 'a.json.gz'], io, noServer);

    expect({ code, printed: io.stdout.lines().length, named: io.stderr.lines()[0]?.includes('truncated.json.gz') }).toEqual({
      code: 1,
      printed: 2,
      named: true,
    });
  });

  it('exits 130 when interrupted', async () => {
    const io = captureIO(folder);
    io.controller.abort();

    const code = await main(['process', '.'], io, noServer);

    expect({ code, stderr: io.stderr.text() }).toEqual({ code: 130, stderr: 'trail-audit: interrupted (SIGINT)\n' });
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ])('exits 128 + the signal number when stopped by %s', async (signal, exitCode) => {
    const io = captureIO(folder);
    io.controller.abort(signal);

    const code = await main(['process', '.'], io, noServer);

    expect({ code, stderr: io.stderr.text() }).toEqual({ code: exitCode, stderr: `trail-audit: interrupted (${signal})\n` });
  });

  it('names a missing path on stderr and exits 1', async () => {
    const io = captureIO(folder);

    const code = await main(['process', 'missing.json.gz', 'a.json.gz'], io, noServer);

    expect({ code, stderr: io.stderr.lines()[0] }).toEqual({
      code: 1,
      stderr: 'trail-audit: missing.json.gz: no such file or folder',
    });
  });
});
