/**
 * The pure pipeline over every file of the shared public CloudTrail corpus (`../shared/data/cloudtrail/`), held
 * to what its README says a correct processor does. The expected set of kept events is computed here by an
 * independent, naive reader (whole-file `JSON.parse`), not by the code under test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LogDecodeError } from '../../../lambda/core/decode';
import { newCounts, normaliseLogObject } from '../../../lambda/core/pipeline';
import type { KeptEvent, PipelineCounts } from '../../../lambda/core/pipeline';
import { chunked, CORPUS_DIR } from '../../helpers/fixtures';

interface FileOutcome {
  readonly file: string;
  readonly counts: PipelineCounts;
  readonly kept: readonly KeptEvent[];
  readonly error?: Error;
}

const SELECTED_SOURCES = new Set([
  'elasticloadbalancing.amazonaws.com',
  'elasticbeanstalk.amazonaws.com',
  'autoscaling.amazonaws.com',
]);

/** Every data file of the corpus (the folders' MANIFEST.md, provenance.tsv and the README are not data). */
function corpusFiles(): string[] {
  const files = readdirSync(CORPUS_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.(md|tsv)$/.test(entry.name))
    .map((entry) => path.relative(CORPUS_DIR, path.join(entry.parentPath, entry.name)));
  return files.sort();
}

/** The naive oracle: every record of a file by whole-file parsing, or undefined when the file is not JSON. */
function naiveRecords(file: string): Record<string, unknown>[] | undefined {
  const text = readFileSync(path.join(CORPUS_DIR, file), 'utf8');
  const values = parseWholeOrLines(text);
  if (values === undefined) return undefined;
  return values.flatMap((value) => {
    if (Array.isArray(value)) return value as Record<string, unknown>[];
    const object = value as Record<string, unknown>;
    return Array.isArray(object['Records']) ? (object['Records'] as Record<string, unknown>[]) : [object];
  });
}

function parseWholeOrLines(text: string): unknown[] | undefined {
  if (text.trim() === '') return [];
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    try {
      return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
    } catch {
      return undefined;
    }
  }
}

/** The README's definition: a record of the three services that is not Application Auto Scaling. */
function shouldBeKept(record: Record<string, unknown>): boolean {
  const parameters = record['requestParameters'] as Record<string, unknown> | null | undefined;
  const additional = record['additionalEventData'] as Record<string, unknown> | null | undefined;
  const applicationAutoScaling =
    parameters?.['serviceNamespace'] !== undefined || additional?.['service'] !== undefined;
  return (
    typeof record['eventSource'] === 'string' &&
    SELECTED_SOURCES.has(record['eventSource']) &&
    record['eventType'] !== 'AwsCloudTrailInsight' &&
    !applicationAutoScaling
  );
}

describe('the public CloudTrail corpus', () => {
  const files = corpusFiles();
  const outcomes: FileOutcome[] = [];

  beforeAll(async () => {
    const seenEventIds = new Set<string>();
    for (const file of files) {
      const counts = newCounts();
      const kept: KeptEvent[] = [];
      const bytes = readFileSync(path.join(CORPUS_DIR, file));
      try {
        for await (const item of normaliseLogObject(chunked(bytes, 4096), { objectKey: file, seenEventIds }, counts)) {
          kept.push(item);
        }
        outcomes.push({ file, counts, kept });
      } catch (error) {
        outcomes.push({ file, counts, kept, error: error as Error });
      }
    }
  });

  const allKept = (): KeptEvent[] => outcomes.flatMap((outcome) => outcome.kept);

  it('has the files its README lists', () => {
    // Assess
    expect(files.length).toBeGreaterThanOrEqual(124);
  });

  it('reads every file without a crash: only the invalid one fails, with a decode error naming it', () => {
    // Act
    const failures = outcomes
      .filter((outcome) => outcome.error !== undefined)
      .map(({ file, error }) => ({
        file,
        isDecodeError: error instanceof LogDecodeError,
        namesFile: error?.message.includes(file),
      }));

    // Assess
    expect(failures).toEqual([
      {
        file: 'awsdocs_examples/elb-classic-load-balancers-user-guide__ELB-API-Logs__02.json',
        isDecodeError: true,
        namesFile: true,
      },
    ]);
  });

  it('reports the empty file as such', () => {
    // Act
    const empty = outcomes.filter((outcome) => outcome.counts.fileSkipped === 'empty-file').map(({ file }) => file);

    // Assess
    expect(empty).toEqual(['aws_spotlight/files/ELASTICBEANSTALK_CreateEnvironment__e69de29b.json']);
  });

  it('recognises the digest files and skips them with a reason', () => {
    // Act
    const digests = outcomes.filter((outcome) => outcome.counts.fileSkipped === 'digest-file').map(({ file }) => file);

    // Assess
    expect(digests).toEqual([
      'awsdocs_examples/aws-cloudtrail-user-guide__cloudtrail-log-file-validation-digest-file-structure__01.json',
      'awsdocs_examples/aws-cloudtrail-user-guide__cloudtrail-log-file-validation-digest-file-structure__02.json',
    ]);
  });

  it('skips every Insight event with its reason', () => {
    // Prepare
    const insightRecords = files
      .flatMap((file) => naiveRecords(file) ?? [])
      .filter((record) => record['eventType'] === 'AwsCloudTrailInsight').length;

    // Act
    const skipped = outcomes.reduce((sum, outcome) => sum + (outcome.counts.skipped['insight-event'] ?? 0), 0);

    // Assess
    expect({ skipped, atLeastOne: insightRecords > 0 }).toEqual({ skipped: insightRecords, atLeastOne: true });
  });

  it('keeps exactly the ELB, Elastic Beanstalk and EC2 Auto Scaling records, each eventID once', () => {
    // Prepare
    const expected = new Set(
      files.flatMap((file) => naiveRecords(file) ?? []).filter(shouldBeKept).map((record) => String(record['eventID'])),
    );

    // Act
    const keptIds = allKept().map(({ event }) => event.eventID);

    // Assess
    expect({ ids: [...keptIds].sort(), unique: new Set(keptIds).size }).toEqual({
      ids: [...expected].sort(),
      unique: keptIds.length,
    });
  });

  it('keeps no Application Auto Scaling record', () => {
    // Act
    const applicationAutoScaling = outcomes.reduce(
      (sum, outcome) => sum + (outcome.counts.skipped['application-auto-scaling'] ?? 0),
      0,
    );

    // Assess
    expect(applicationAutoScaling).toBe(4);
  });

  it('gives every kept event a principal', () => {
    // Act
    const withoutPrincipal = allKept()
      .filter(({ event }) => event.principal.id === '' || event.principal.id === 'unknown')
      .map(({ event }) => event.eventID);

    // Assess
    expect(withoutPrincipal).toEqual([]);
  });

  it('names at least one resource for every create, modify or delete', () => {
    // Act
    const writesWithoutResources = allKept()
      .filter(({ event }) => !event.readOnly && event.resources.length === 0)
      .map(({ event }) => `${event.eventName} ${event.eventID}`);

    // Assess
    expect(writesWithoutResources).toEqual([]);
  });

  it('counts every record it reads as kept or skipped', () => {
    // Act
    const unbalanced = outcomes
      .filter((outcome) => outcome.error === undefined)
      .filter(({ counts }) => {
        const skipped = Object.values(counts.skipped).reduce((sum, n) => sum + n, 0);
        return counts.recordsRead !== counts.kept + skipped;
      })
      .map(({ file }) => file);

    // Assess
    expect(unbalanced).toEqual([]);
  });
});
