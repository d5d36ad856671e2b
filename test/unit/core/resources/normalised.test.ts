/**
 * The per-operation fixtures through the core's select and normalise steps: each record is kept under its own
 * service and its normalised event carries the resources written from the API reference (what
 * `trail-audit process --json` prints).
 */
import { normaliseRecord } from '../../../../lambda/core/normalise';
import { selectRecord } from '../../../../lambda/core/select';
import { loadResourceFixtures, sortedResources } from './resource-fixtures';

const fixtures = loadResourceFixtures();

describe('normalised events of the per-operation fixtures', () => {
  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s', (_file, fixture) => {
    const selection = selectRecord(fixture.record);
    const service = selection.keep ? selection.service : undefined;

    const resources = service === undefined ? undefined : normaliseRecord(fixture.record, service).event.resources;

    expect({ service, resources: resources === undefined ? undefined : sortedResources(resources) }).toEqual({
      service: fixture.service,
      resources: sortedResources(fixture.resources),
    });
  });
});
