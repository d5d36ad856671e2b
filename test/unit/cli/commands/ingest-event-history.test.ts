/**
 * `ingest --event-history`'s command line: what is refused before any call or server (exit 2), and a region list
 * that cannot be had (exit 3). The reading itself is in test/integration/cli/ingest-event-history.test.ts.
 */
import { main } from '../../../../lambda/cli/main';
import type { EventHistorySource } from '../../../../lambda/app/ports';
import { captureIO } from '../capture-io';

/** Fails the test if a command starts the embedded DynamoDB Local or reads Event history. */
const nothingStarts = {
  startLocal: () => Promise.reject(new Error('unit tests start no server')),
  eventHistory: {
    listRegions: () => Promise.reject(new Error('ListRegions: Region is missing')),
    lookupEvents: () => Promise.reject(new Error('unit tests read no Event history')),
  } satisfies EventHistorySource,
};

async function run(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIO(process.cwd());
  const code = await main(argv, io, nothingStarts);
  return { code, stderr: io.stderr.text() };
}

describe('ingest --event-history on the command line', () => {
  it('refuses paths beside --event-history', async () => {
    expect(await run(['ingest', '--event-history', 'logs/'])).toEqual({
      code: 2,
      stderr: 'trail-audit: --event-history reads CloudTrail, not files: leave out the paths\n',
    });
  });

  it('refuses --regions that are not region names', async () => {
    expect(await run(['ingest', '--event-history', '--regions', 'us-east-1,mars'])).toEqual({
      code: 2,
      stderr: "trail-audit: --regions 'us-east-1,mars' must be 'all' or region names separated by commas (us-east-1,eu-west-1)\n",
    });
  });

  it('refuses --regions without --event-history, and an ingest with nothing to read', async () => {
    const results = [await run(['ingest', 'logs/', '--regions', 'us-east-1']), await run(['ingest'])];

    expect(results.map((result) => result.code)).toEqual([2, 2]);
  });

  it('fails the run (exit 3) when the regions cannot be listed, and says how to name them', async () => {
    expect(await run(['ingest', '--event-history'])).toEqual({
      code: 3,
      stderr:
        "trail-audit: RegionListError: cannot list the account's enabled regions (account:ListRegions): ListRegions: " +
        'Region is missing; name them with --regions us-east-1,eu-west-1\n',
    });
  });
});
