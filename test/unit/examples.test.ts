/**
 * The project's example logs (`examples/`) are what `scripts/make-examples.ts` writes, and the pipeline finds in
 * them exactly what `examples/README.md` promises. If this fails after a change to the story, regenerate the files
 * and update the README's tables together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parsePublicKeyList, verifyDigests } from '../../lambda/core/digest';
import { newCounts, normaliseLogObject } from '../../lambda/core/pipeline';
import type { KeptEvent, PipelineCounts } from '../../lambda/core/pipeline';
import { EXAMPLE_BUCKET, exampleEventId, exampleObjects, examplePublicKeysJson } from '../../scripts/make-examples';
import { chunked } from '../helpers/fixtures';

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

function committedKeys(): string[] {
  return readdirSync(EXAMPLES_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json.gz'))
    .map((entry) => path.relative(EXAMPLES_DIR, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('the example logs', () => {
  const kept: KeptEvent[] = [];
  const perFile = new Map<string, PipelineCounts>();

  beforeAll(async () => {
    const seenEventIds = new Set<string>();
    for (const key of committedKeys()) {
      const counts = newCounts();
      const bytes = readFileSync(path.join(EXAMPLES_DIR, key));
      for await (const item of normaliseLogObject(chunked(bytes, 1024), { objectKey: key, seenEventIds }, counts)) {
        kept.push(item);
      }
      perFile.set(key, counts);
    }
  });

  it('are exactly what the generator writes', () => {
    // Prepare
    const expected = exampleObjects().map(({ key, text }) => ({ key, text }));

    // Act
    const committed = committedKeys().map((key) => ({
      key,
      text: gunzipSync(readFileSync(path.join(EXAMPLES_DIR, key))).toString('utf8'),
    }));

    // Assess
    expect(committed).toEqual(expected);
  });

  it('ship the public keys the generator writes', () => {
    const committed = readFileSync(path.join(EXAMPLES_DIR, 'public-keys.json'), 'utf8');

    expect(committed).toBe(examplePublicKeysJson());
  });

  it('hold digest chains whose every digest verifies in a bucket, with its signature metadata', () => {
    // Prepare
    const publicKeys = parsePublicKeyList(JSON.parse(examplePublicKeysJson()) as unknown, 'examples/public-keys.json');
    const digests = exampleObjects()
      .filter((object) => object.metadata !== undefined)
      .map((object) => ({ key: object.key, bucket: EXAMPLE_BUCKET, bytes: gzipSync(object.text), metadata: object.metadata }));

    // Act
    const results = verifyDigests(digests, { publicKeys });

    // Assess
    expect(results.map((result) => [result.key.slice(-24), result.status, result.chainStart])).toEqual([
      ['20261120T091240Z.json.gz', 'verified', true],
      ['20261120T101240Z.json.gz', 'verified', false],
      ['20261120T111240Z.json.gz', 'verified', false],
      ['20261120T121240Z.json.gz', 'verified', false],
      ['20261120T115831Z.json.gz', 'verified', true],
      ['20261120T125831Z.json.gz', 'verified', false],
    ]);
  });

  it('keep the 19 events the README lists, each once', () => {
    // Prepare
    const expected = [3, 5, 6, 7, 8, 9, 10, 11, 13, 17, 18, 19, 20, 21, 23, 25, 31, 33, 34].map(exampleEventId);

    // Act
    const ids = kept.map(({ event }) => event.eventID);

    // Assess
    expect(ids).toEqual(expected);
  });

  it('skip what the README says they skip', () => {
    // Act
    const totals = [...perFile.values()].reduce(
      (sum, counts) => ({
        recordsRead: sum.recordsRead + counts.recordsRead,
        otherService: sum.otherService + (counts.skipped['other-service'] ?? 0),
        applicationAutoScaling: sum.applicationAutoScaling + (counts.skipped['application-auto-scaling'] ?? 0),
        duplicates: sum.duplicates + (counts.skipped['duplicate-event'] ?? 0),
        filesSkipped: counts.fileSkipped === undefined ? sum.filesSkipped : [...sum.filesSkipped, counts.fileSkipped],
      }),
      { recordsRead: 0, otherService: 0, applicationAutoScaling: 0, duplicates: 0, filesSkipped: [] as string[] },
    );

    // Assess
    expect(totals).toEqual({
      recordsRead: 36,
      otherService: 15,
      applicationAutoScaling: 1,
      duplicates: 1,
      filesSkipped: Array(6).fill('digest-file'),
    });
  });

  it('name the principals the README lists', () => {
    // Act
    const principals = [...new Set(kept.map(({ event }) => event.principal.id))].sort();

    // Assess
    expect(principals).toEqual([
      'arn:aws:iam::111122223333:role/OpsAdmin',
      'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      'arn:aws:iam::111122223333:role/service-role/ci-deployer',
      'arn:aws:iam::111122223333:root',
      'arn:aws:iam::111122223333:user/alice',
      'arn:aws:iam::111122223333:user/carol',
    ]);
  });
});
