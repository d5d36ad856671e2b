/**
 * The DynamoDB Local launcher ships compiled, beside its source: the committed class must be the one compiled from the
 * committed source (`lambda/local/launcher.json` records both hashes), for the Java release DynamoDB Local itself
 * targets. After editing the source, run `npx tsx scripts/compile-launcher.ts` and commit the three files together.
 */
import { readFile } from 'node:fs/promises';
import {
  LAUNCHER_CLASS_FILE,
  LAUNCHER_JAVA_RELEASE,
  LAUNCHER_RECORD,
  LAUNCHER_SOURCE,
  sha256File,
  type LauncherRecord,
} from '../../../scripts/compile-launcher';

/** Class-file major version of Java 8 (Java N is 44 + N). */
const JAVA_8_MAJOR_VERSION = 52;

describe('the compiled DynamoDB Local launcher', () => {
  it('was compiled from the committed source and is the committed class (recorded hashes)', async () => {
    const record = JSON.parse(await readFile(LAUNCHER_RECORD, 'utf8')) as LauncherRecord;

    const actual = { source: await sha256File(LAUNCHER_SOURCE), class: await sha256File(LAUNCHER_CLASS_FILE) };

    expect(actual).toEqual({ source: record.sourceSha256, class: record.classSha256 });
  });

  it('runs on Java 8 and later, like DynamoDB Local itself', async () => {
    const classFile = await readFile(LAUNCHER_CLASS_FILE);

    const major = classFile.readUInt16BE(6);

    expect({ major, release: LAUNCHER_JAVA_RELEASE }).toEqual({ major: JAVA_8_MAJOR_VERSION, release: 8 });
  });
});
