/**
 * DynamoDB Local needs a Java runtime only: the launcher ships compiled. The server starts, from a fresh cache, with
 * no javac on PATH; and recompiling the launcher's source (where a JDK is installed) gives the committed classes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LAUNCHER_CLASS_FILES, compileLauncher } from '../../../scripts/compile-launcher';
import { LAUNCHER_DIR } from '../../../lambda/local/dynamodb-local';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);
const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

/** Where `command` is found on the current PATH. */
function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** `javap -c -p -constants` of a class: its members and bytecode, without file path or timestamp. */
async function disassemble(classFile: string): Promise<string> {
  const { stdout } = await execFileAsync('javap', ['-c', '-p', '-constants', classFile]);
  return stdout;
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'trail-audit-launcher-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the DynamoDB Local launcher', () => {
  it('starts DynamoDB Local from a fresh cache with a Java runtime and no javac on PATH', async () => {
    // PATH holds links to the tools that preparing and running the server use, and nothing else (/bin is a link to
    // /usr/bin here, so dropping folders from PATH would not hide javac). The server is started by a process of its
    // own: child processes take the worker's PATH, not the one a test sees.
    const tools = join(workDir, 'tools');
    await mkdir(tools);
    for (const tool of ['node', 'npm', 'tar', 'gzip', 'java']) {
      const found = onPath(tool);
      if (found === undefined) throw new Error(`${tool} is not on PATH`);
      await symlink(found, join(tools, tool));
    }

    const { stdout } = await execFileAsync(
      process.execPath,
      ['--require', 'tsx/cjs', join('test', 'helpers', 'dynamodb-local-probe.ts'), join(workDir, 'cache')],
      { cwd: PROJECT_ROOT, env: { ...process.env, PATH: tools } },
    );

    const probe = JSON.parse(stdout) as { endpoint: string; tables: string[] };
    expect({ loopback: probe.endpoint.startsWith('http://127.0.0.1:'), tables: probe.tables }).toEqual({
      loopback: true,
      tables: [],
    });
  });

  // Only where a JDK is installed: on a runtime-only machine the recorded hashes (test/unit/local/launcher.test.ts)
  // still tie the class to its source.
  if (onPath('javac') !== undefined && onPath('javap') !== undefined) {
    it('recompiles from its source to the committed classes', async () => {
      const outDir = join(workDir, 'recompiled');
      await mkdir(outDir);

      const recompiled = await compileLauncher(outDir);

      const committed = LAUNCHER_CLASS_FILES.map((name) => join(LAUNCHER_DIR, name));
      expect(await Promise.all(recompiled.map(disassemble))).toEqual(await Promise.all(committed.map(disassemble)));
    });
  }
});
