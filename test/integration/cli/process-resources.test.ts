/**
 * Issue 3's end-to-end check: `trail-audit process --json` reports, for every operation of the four APIs, the
 * resources its hand-written fixture expects (records written from the API references, not from the code's output).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NormalisedEvent } from '../../../lambda/core/types';
import { loadResourceFixtures, sortedResources } from '../../unit/core/resources/resource-fixtures';
import { parseNdjson, runCli } from './cli-helpers';

describe('trail-audit process --json on every operation', () => {
  const fixtures = loadResourceFixtures().map((fixture, index) => ({
    ...fixture,
    // The fixtures share a few eventIDs; one file must hold each operation once.
    record: { ...fixture.record, eventID: `5e1f0000-0000-4000-8000-${index.toString().padStart(12, '0')}` },
  }));
  let workDir: string;
  let events: Map<string, NormalisedEvent>;
  let exitCode: number;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'trail-audit-coverage-'));
    const file = join(workDir, '123456789012_CloudTrail_us-east-1_20261121T1200Z_coverage.json.gz');
    await writeFile(file, gzipSync(JSON.stringify({ Records: fixtures.map((fixture) => fixture.record) })));
    const run = await runCli(['process', file, '--json'], workDir);
    exitCode = run.code;
    events = new Map(parseNdjson(run.stdout).map((event) => [event.eventID, event]));
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('keeps every operation of the four APIs and exits 0', () => {
    expect({ exitCode, kept: events.size }).toEqual({ exitCode: 0, kept: fixtures.length });
  });

  it.each(fixtures.map((fixture) => [`${fixture.service} ${fixture.operation}`, fixture] as const))(
    '%s names the resources of its fixture',
    (_name, fixture) => {
      const event = events.get(fixture.record.eventID);

      expect({ service: event?.service, resources: sortedResources(event?.resources ?? []) }).toEqual({
        service: fixture.service,
        resources: sortedResources(fixture.resources),
      });
    },
  );
});
