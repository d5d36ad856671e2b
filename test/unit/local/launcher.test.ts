/**
 * The DynamoDB Local launcher ships compiled, beside its source: the committed classes must be the ones compiled from
 * the committed source (`lambda/local/launcher.json` records the hashes), for the Java release DynamoDB Local itself
 * targets. After editing the source, run `npx tsx scripts/compile-launcher.ts` and commit the files together.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LAUNCHER_CLASS_FILES,
  LAUNCHER_JAVA_RELEASE,
  LAUNCHER_RECORD,
  LAUNCHER_SOURCE,
  launcherClassHashes,
  sha256File,
  type LauncherRecord,
} from '../../../scripts/compile-launcher';
import { LAUNCHER_DIR } from '../../../lambda/local/dynamodb-local';

/** Class-file major version of Java 8 (Java N is 44 + N). */
const JAVA_8_MAJOR_VERSION = 52;

describe('the compiled DynamoDB Local launcher', () => {
  it('was compiled from the committed source and is the committed classes (recorded hashes)', async () => {
    const record = JSON.parse(await readFile(LAUNCHER_RECORD, 'utf8')) as LauncherRecord;

    const actual = { source: await sha256File(LAUNCHER_SOURCE), classes: await launcherClassHashes() };

    expect(actual).toEqual({ source: record.sourceSha256, classes: record.classSha256 });
  });

  it('runs on Java 8 and later, like DynamoDB Local itself', async () => {
    const majors = await Promise.all(
      LAUNCHER_CLASS_FILES.map(async (name) => (await readFile(join(LAUNCHER_DIR, name))).readUInt16BE(6)),
    );

    expect({ majors, release: LAUNCHER_JAVA_RELEASE }).toEqual({
      majors: LAUNCHER_CLASS_FILES.map(() => JAVA_8_MAJOR_VERSION),
      release: 8,
    });
  });
});
