/**
 * The CLI loads the AWS SDK only for the commands that call AWS: `--help`, `--version`, `process` and `alerts` start
 * without it (what keeps them quick to start; `npm run bench` measures how quick). Each SDK package is wrapped so
 * that loading it is recorded; what it does is unchanged. Each test loads the CLI afresh.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzippedLogFile, record } from '../../helpers/fixtures';
import { captureIO } from './capture-io';

const mockLoaded = new Set<string>();

jest.mock('@aws-sdk/client-dynamodb', () => {
  mockLoaded.add('@aws-sdk/client-dynamodb');
  return jest.requireActual<object>('@aws-sdk/client-dynamodb');
});
jest.mock('@aws-sdk/lib-dynamodb', () => {
  mockLoaded.add('@aws-sdk/lib-dynamodb');
  return jest.requireActual<object>('@aws-sdk/lib-dynamodb');
});
jest.mock('@aws-sdk/client-s3', () => {
  mockLoaded.add('@aws-sdk/client-s3');
  return jest.requireActual<object>('@aws-sdk/client-s3');
});

const noServer = { startLocal: () => Promise.reject(new Error('unit tests start no server')) };

/** Loads the CLI into a fresh module registry and runs it. */
async function runFresh(argv: readonly string[]): Promise<number> {
  const { main } = await import('../../../lambda/cli/main.js');
  return main(argv, captureIO(folder), noServer);
}

let folder: string;

beforeEach(async () => {
  mockLoaded.clear();
  jest.resetModules();
  folder = await mkdtemp(join(tmpdir(), 'trail-audit-lazy-'));
  await writeFile(join(folder, 'a.json.gz'), gzippedLogFile([record({ eventName: 'DeleteLoadBalancer' })]));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('loading the AWS SDK', () => {
  it.each([[['--help']], [['--version']], [['process', '--json', 'a.json.gz']], [['alerts', 'a.json.gz']]])(
    'does not happen for %j',
    async (argv) => {
      const code = await runFresh(argv);

      expect({ code, loaded: [...mockLoaded] }).toEqual({ code: 0, loaded: [] });
    },
  );

  it('happens for a command that calls AWS (query)', async () => {
    await runFresh(['query', '--help']);

    expect([...mockLoaded].sort()).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
  });
});
