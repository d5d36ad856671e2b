/**
 * Compiles the DynamoDB Local loopback launcher (`lambda/local/LoopbackDynamoDBLocal.java`) into the classes the
 * package ships beside it (the launcher and its nested class), and records what they were compiled from
 * (`lambda/local/launcher.json`): the SHA-256 of the source and of each class. A unit test checks the record against
 * the files, and an integration test recompiles the source (when javac is on PATH) and compares the result with the
 * committed classes, so they cannot drift from their source unnoticed.
 *
 * The class targets Java 8 (`--release 8`), the class-file version of the DynamoDB Local jar itself, so any Java
 * runtime that runs DynamoDB Local runs the launcher. Needs a JDK (javac), unlike the CLI.
 *
 * Usage: `npx tsx scripts/compile-launcher.ts` after editing the launcher's source; commit the source, the classes and
 * the record together.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  emulatorClassPath,
  ensureDynamoDBLocal,
  LAUNCHER_CLASS,
  LAUNCHER_DIR,
} from '../lambda/local/dynamodb-local';

const execFileAsync = promisify(execFile);

/** The Java release the launcher is compiled for: that of DynamoDB Local's own classes (class-file version 52). */
export const LAUNCHER_JAVA_RELEASE = 8;

/** The launcher's source, as committed. */
export const LAUNCHER_SOURCE = join(LAUNCHER_DIR, `${LAUNCHER_CLASS}.java`);

/** The launcher's class files, as committed: the launcher and its nested class. */
export const LAUNCHER_CLASS_FILES: readonly string[] = [`${LAUNCHER_CLASS}.class`, `${LAUNCHER_CLASS}$Statements.class`];

/** What the committed class was compiled from. */
export const LAUNCHER_RECORD = join(LAUNCHER_DIR, 'launcher.json');

/** The content of {@link LAUNCHER_RECORD}. */
export interface LauncherRecord {
  /** SHA-256 (hex) of the source the class was compiled from. */
  readonly sourceSha256: string;
  /** SHA-256 (hex) of each class file, by file name. */
  readonly classSha256: Readonly<Record<string, string>>;
  /** The `--release` it was compiled for. */
  readonly release: number;
  /** `javac -version` of the compiler used, for information. */
  readonly compiler: string;
}

/** The SHA-256 of a file, in hex. */
export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/**
 * Compiles the launcher's source into `outDir` (fetching DynamoDB Local first, whose classes it compiles against).
 * @returns the paths of the class files written, in {@link LAUNCHER_CLASS_FILES} order
 */
export async function compileLauncher(outDir: string): Promise<string[]> {
  const emulator = await ensureDynamoDBLocal();
  await execFileAsync('javac', [
    '--release',
    String(LAUNCHER_JAVA_RELEASE),
    // The release is old on purpose: no warning that it is.
    '-Xlint:-options',
    '-d',
    outDir,
    '-cp',
    emulatorClassPath(emulator),
    LAUNCHER_SOURCE,
  ]);
  return LAUNCHER_CLASS_FILES.map((name) => join(outDir, name));
}

/** The SHA-256 of each committed class file, by file name. */
export async function launcherClassHashes(dir: string = LAUNCHER_DIR): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of LAUNCHER_CLASS_FILES) hashes[name] = await sha256File(join(dir, name));
  return hashes;
}

async function main(): Promise<void> {
  await compileLauncher(LAUNCHER_DIR);
  const { stdout, stderr } = await execFileAsync('javac', ['-version']);
  const record: LauncherRecord = {
    sourceSha256: await sha256File(LAUNCHER_SOURCE),
    classSha256: await launcherClassHashes(),
    release: LAUNCHER_JAVA_RELEASE,
    compiler: `${stdout}${stderr}`.trim(),
  };
  await writeFile(LAUNCHER_RECORD, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`compiled ${LAUNCHER_CLASS_FILES.join(', ')} (Java ${LAUNCHER_JAVA_RELEASE}) and recorded it in ${LAUNCHER_RECORD}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
