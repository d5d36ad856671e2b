/**
 * The "querying in the DynamoDB console" guide (`docs/console-queries.md`) cannot drift from the table: every
 * documented `aws dynamodb` command runs here, with the AWS CLI, against DynamoDB Local holding the example logs,
 * and must return the same events as the `trail-audit query` written above it. The question table is kept once,
 * in the guide, between its markers. "Is this hour verified?" returns what `trail-audit verify` on the table says of
 * that hour's digest and its log files.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../../lambda/local/dynamodb-local';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../../lambda/cli/target';
import { EXAMPLES_DIR, parseNdjson, runCli } from './cli-helpers';

jest.setTimeout(60_000);

const execFileAsync = promisify(execFile);
const GUIDE = resolve(__dirname, '..', '..', '..', 'docs', 'console-queries.md');
const TABLE_START = '<!-- console-table:start -->';
const TABLE_END = '<!-- console-table:end -->';
const TABLE = 'trail-audit-console-guide';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDCONSOLEGUIDE', AWS_SECRET_ACCESS_KEY: 'console-guide', AWS_REGION: 'us-east-1' };

/** A documented command and the `trail-audit` arguments it is the same question as. */
interface DocumentedCommand {
  readonly cli: string[];
  readonly command: string;
}

/** The `<!-- trail-audit: ARGS -->` + fenced `sh` block pairs of the guide. */
function documentedCommands(markdown: string): DocumentedCommand[] {
  const pattern = /<!-- trail-audit: (.+?) -->\s*```sh\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map((match) => ({
    cli: (match[1] ?? '').trim().split(/\s+/),
    command: match[2] ?? '',
  }));
}

/** The question table between the markers, or undefined when the markers are missing. */
function questionTable(markdown: string): string | undefined {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END, start);
  if (start < 0 || end < 0) return undefined;
  return markdown.slice(start + TABLE_START.length, end).trim();
}

/** The cells of each body row of a Markdown table (the heading and the separator row left out). */
function tableRows(table: string): string[][] {
  return table
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const guide = readFileSync(GUIDE, 'utf8');
const commands = documentedCommands(guide);
const queries = commands.filter((entry) => entry.cli[0] === 'query');
const show = commands.find((entry) => entry.cli[0] === 'show');
const hourVerified = commands.find((entry) => entry.cli[0] === 'verify');

let server: DynamoDBLocalServer;
let workDir: string;
const savedEnv = { ...process.env };

/** Runs a documented command as a reader would in a shell, with `TABLE` set and the endpoint pointed at the server. */
async function runDocumented(command: string): Promise<string> {
  const { stdout } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', command], {
    cwd: workDir,
    env: {
      ...process.env,
      ...CREDENTIALS,
      AWS_DEFAULT_REGION: CREDENTIALS.AWS_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
      TABLE,
    },
  });
  return stdout;
}

/** The eventIDs of the guide's text output: the last column of each line. */
function eventIdsOfText(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t').pop() ?? '');
}

async function cliEventIds(args: readonly string[]): Promise<string[]> {
  const run = await runCli([...args, '--json', '--limit', '0', '--table', TABLE, '--endpoint', server.endpoint], workDir);
  if (run.code !== 0) throw new Error(`trail-audit ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return parseNdjson(run.stdout).map((event) => event.eventID);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-console-guide-'));
  server = await startDynamoDBLocal();
  Object.assign(process.env, CREDENTIALS);
  // DynamoDB Local keeps one database per access key and region: the table is created with the credentials the
  // CLI and the AWS CLI use below.
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  await ensureTable(client, TABLE);
  client.destroy();
  const ingest = await runCli(['ingest', EXAMPLES_DIR, '--table', TABLE, '--endpoint', server.endpoint], workDir);
  if (ingest.code !== 0) throw new Error(`ingest of the examples failed: ${ingest.stderr}`);
});

afterAll(async () => {
  // Optional: when beforeAll failed before the server was up, its error is the one to see, not a TypeError here.
  process.env = savedEnv;
  await server?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('the question table', () => {
  it('is in the guide between its markers', () => {
    expect(questionTable(guide)).toEqual(expect.stringMatching(/^\| Question \|/));
  });

  it('gives every question over events a sort-key condition for a time range', () => {
    const rows = tableRows(questionTable(guide) ?? '');
    const eventQuestions = rows.filter(([, , sortKey]) => !(sortKey ?? '').includes('`EVENT`'));

    expect({
      questions: eventQuestions.length,
      withoutRange: eventQuestions
        .filter(([, , sortKey]) => !/^(Between|Greater than|Less than)/.test(sortKey ?? ''))
        .map(([question]) => question),
    }).toEqual({ questions: rows.length - 1, withoutRange: [] });
  });

  it('leaves read-only calls out of "who changed" a resource', () => {
    const changed = tableRows(questionTable(guide) ?? '').filter(([question]) => (question ?? '').startsWith('Who changed'));

    expect(changed.map(([, , , filters]) => filters)).toEqual([expect.stringContaining('`readOnly` = `false`')]);
  });
});

describe('the DynamoDB console guide', () => {
  it('asks every documented query over a time range', () => {
    expect(queries.filter((entry) => !entry.cli.includes('--since')).map((entry) => entry.cli.join(' '))).toEqual([]);
  });

  it('leaves read-only calls out of every question about a resource, as --writes-only does', () => {
    const resourceQueries = queries.filter((entry) => entry.cli.includes('--resource'));

    expect({
      questions: resourceQueries.length > 0,
      withoutWritesOnly: resourceQueries.filter((entry) => !entry.cli.includes('--writes-only')).map((entry) => entry.cli.join(' ')),
      withoutFilter: resourceQueries.filter((entry) => !entry.command.includes('#readOnly = :false')).map((entry) => entry.cli.join(' ')),
    }).toEqual({ questions: true, withoutWritesOnly: [], withoutFilter: [] });
  });

  it('documents a command for each question', () => {
    expect(queries.map((entry) => entry.cli.slice(1, 2)[0])).toEqual(
      expect.arrayContaining(['--resource', '--principal', '--access-key', '--action']),
    );
  });

  it.each(queries.map((entry) => [entry.cli.join(' '), entry] as const))(
    'answers "%s" with the same events as trail-audit',
    async (_, entry) => {
      const documented = eventIdsOfText(await runDocumented(entry.command));

      const expected = await cliEventIds(entry.cli);
      expect({ documented, found: documented.length > 0 }).toEqual({ documented: expected, found: true });
    },
  );

  it('answers "is this hour verified?" with the digest and the log files trail-audit verify names, each with its status', async () => {
    if (hourVerified === undefined) throw new Error('the guide documents no verify command');
    const rows = (await runDocumented(hourVerified.command))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.split('\t'));
    const verified = await runCli([...hourVerified.cli, '--json', '--table', TABLE, '--endpoint', server.endpoint], workDir);
    const lines = verified.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; key: string; status: string; end?: string; digest?: string });

    // The digest of the hour the command asks for (10:xx), and the log files it lists.
    const digest = lines.find((line) => line.kind === 'digest' && (line.end ?? '').startsWith('2026-11-20T10'));
    const files = lines.filter((line) => line.kind === 'log-file' && line.digest === digest?.key);
    expect({
      digest: rows.filter(([kind]) => kind === 'digest').map(([, status, key]) => [status, key]),
      files: rows.filter(([kind]) => kind === 'listed-log-file').map(([, status, key]) => [status, key]),
      linked: rows.filter(([kind]) => kind === 'next-link').length,
    }).toEqual({
      digest: [[digest?.status, digest?.key]],
      files: files.map((file) => [file.status, file.key]),
      linked: 1,
    });
  });

  it('fetches one whole event with its original record', async () => {
    if (show === undefined) throw new Error('the guide documents no get-item command');
    const [eventID] = await cliEventIds(['query', '--action', 'DeleteLoadBalancer']);
    if (eventID === undefined) throw new Error('the examples hold no DeleteLoadBalancer');

    const stdout = await runDocumented(show.command.replace('EVENT-ID', eventID));

    const item = JSON.parse(stdout) as { Item: { record: { S: string } } };
    expect(JSON.parse(item.Item.record.S)).toMatchObject({ eventID, eventName: 'DeleteLoadBalancer' });
  });
});
