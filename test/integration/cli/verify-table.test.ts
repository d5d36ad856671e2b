/**
 * `trail-audit verify` on the table: the README's main job (`ingest examples/`) into the embedded default, then
 * `verify` without a path prints what docs/integrity.md shows — the same report as on the folder, from the results
 * `ingest` stored, their signatures checked with `--public-keys`.
 */
import { stopLocalServer } from '../../../lambda/local/local-server';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './cli-helpers';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..', '..', '..');
const GUIDE = join(ROOT, 'docs', 'integrity.md');

/** The fenced block that follows a `<!-- verify-table-examples:NAME -->` marker in the guide. */
function guideBlock(name: string): string {
  const match = new RegExp(`<!-- verify-table-examples:${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(GUIDE, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`docs/integrity.md has no verify-table-examples:${name} block`);
  return match[1];
}

let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'trail-audit-verify-table-'));
});

afterAll(async () => {
  // The embedded default's server outlives the commands; stopped here rather than left to its idle time.
  await stopLocalServer(dataDir);
  await rm(dataDir, { recursive: true, force: true });
});

describe('verify on the table the examples were ingested into', () => {
  it('prints exactly what docs/integrity.md shows, and exits 0', async () => {
    // Each documented command (`npx trail-audit ...`), run in the repository with a data folder of the test's own.
    const commands = guideBlock('command')
      .trim()
      .split('\n')
      .map((line) => [...line.trim().split(/\s+/).slice(2), '--data-dir', dataDir]);
    const [ingest, verify] = commands;
    if (ingest === undefined || verify === undefined) throw new Error('the guide documents two commands');

    const ingested = await runCli(ingest, ROOT);
    const verified = await runCli(verify, ROOT);

    expect({ ingested: ingested.code, code: verified.code, stdout: verified.stdout, stderr: verified.stderr }).toEqual({
      ingested: 0,
      code: 0,
      stdout: guideBlock('output'),
      stderr: '',
    });
  });
});
