import { createBackfillHandler, type BackfillPlan, BackfillOverlap } from '../../../lambda/app/backfill';
import {
  BackfillPlanError,
  discoverTrailFolders,
  planListing,
  type TrailFolders,
} from '../../../lambda/app/backfill-plan';
import { BackfillRequestError } from '../../../lambda/app/backfill-request';
import type { FolderLister, RunningBackfill } from '../../../lambda/app/ports';

/** A bucket's folder tree in memory, answering delimiter listings as S3 does; it records every listing. */
class FakeFolders implements FolderLister {
  readonly listed: string[] = [];
  constructor(private readonly keys: readonly string[]) {}

  listFolders(_bucket: string, prefix: string): Promise<string[]> {
    this.listed.push(prefix);
    const folders = new Set<string>();
    for (const key of this.keys) {
      if (!key.startsWith(prefix)) continue;
      const slash = key.indexOf('/', prefix.length);
      if (slash !== -1) folders.add(key.slice(0, slash + 1));
    }
    return Promise.resolve([...folders].sort());
  }
}

const BASE = 'trail/AWSLogs/';
const ORG = 'o-a1b2c3d4e5';
const file = (path: string): string => `${BASE}${path}/2026/11/20/x.json.gz`;
const KEYS = [
  file(`${ORG}/111122223333/CloudTrail/us-east-1`),
  file(`${ORG}/111122223333/CloudTrail/eu-west-1`),
  file(`${ORG}/111122223333/CloudTrail-Digest/us-east-1`),
  file(`${ORG}/444455556666/CloudTrail/us-east-1`),
  file('777788889999/CloudTrail/ap-south-1'),
  `${BASE}777788889999/elasticloadbalancing/us-east-1/2026/11/20/lb.log.gz`,
];

function folders(accounts: number, regions: number): TrailFolders {
  return {
    accounts: Array.from({ length: accounts }, (_, index) => {
      const accountId = String(100000000000 + index);
      return {
        folder: `${ORG}/${accountId}/`,
        accountId,
        regions: Array.from({ length: regions }, (__, region) => `xx-region-${region + 1}`),
      };
    }),
  };
}

describe('discoverTrailFolders', () => {
  it('finds the accounts of organization and account trails, and the region folders of each', async () => {
    const found = await discoverTrailFolders(new FakeFolders(KEYS), 'b', BASE, {});

    expect(found.accounts).toEqual([
      { folder: '777788889999/', accountId: '777788889999', regions: ['ap-south-1'] },
      { folder: `${ORG}/111122223333/`, accountId: '111122223333', regions: ['eu-west-1', 'us-east-1'] },
      { folder: `${ORG}/444455556666/`, accountId: '444455556666', regions: ['us-east-1'] },
    ]);
  });

  it('keeps only the accounts asked for', async () => {
    const found = await discoverTrailFolders(new FakeFolders(KEYS), 'b', BASE, { accounts: ['444455556666'] });

    expect(found.accounts.map((account) => account.accountId)).toEqual(['444455556666']);
  });

  it('lists nothing under an organization folder when the accounts and regions are given', async () => {
    const lister = new FakeFolders(KEYS);

    const found = await discoverTrailFolders(lister, 'b', `${BASE}${ORG}/`, {
      accounts: ['111122223333'],
      regions: ['us-east-1'],
    });

    expect({ found: found.accounts, listed: lister.listed }).toEqual({
      found: [{ folder: '111122223333/', accountId: '111122223333', regions: ['us-east-1'] }],
      listed: [],
    });
  });

  it('refuses a base that is not an AWSLogs/ folder', async () => {
    await expect(discoverTrailFolders(new FakeFolders(KEYS), 'b', 'trail/', {})).rejects.toThrow(BackfillPlanError);
  });
});

describe('planListing', () => {
  it('lists one month folder per log and digest folder for a range inside a month', () => {
    const plan = planListing(folders(1, 1), '2026/11/03', '2026/11/21');

    expect(plan).toEqual({
      level: 'month',
      units: [
        `${ORG}/100000000000/CloudTrail/xx-region-1/2026/11/`,
        `${ORG}/100000000000/CloudTrail-Digest/xx-region-1/2026/11/`,
      ],
    });
  });

  it('lists no year folder for a few days across a new year: they would read far more than the range', () => {
    const plan = planListing(folders(1, 1), '2025/12/30', '2026/01/02');

    expect({ level: plan.level, units: plan.units.length }).toEqual({ level: 'month', units: 4 });
  });

  it('lists year folders for a range over years', () => {
    const plan = planListing(folders(1, 1), '2024/01/01', '2026/11/21');

    expect({ level: plan.level, units: plan.units.length }).toEqual({ level: 'year', units: 6 });
  });

  it('lists day folders when they are no more runs than month folders', () => {
    const plan = planListing(folders(1, 1), '2026/10/31', '2026/11/01');

    expect(plan.units).toEqual([
      `${ORG}/100000000000/CloudTrail/xx-region-1/2026/10/31/`,
      `${ORG}/100000000000/CloudTrail/xx-region-1/2026/11/01/`,
      `${ORG}/100000000000/CloudTrail-Digest/xx-region-1/2026/10/31/`,
      `${ORG}/100000000000/CloudTrail-Digest/xx-region-1/2026/11/01/`,
    ]);
  });

  it('lists whole region folders when year folders would be more runs than one execution holds', () => {
    const plan = planListing(folders(10, 17), '2024/01/01', '2026/11/21', 1_000);

    expect({ level: plan.level, units: plan.units.length }).toEqual({ level: 'region', units: 340 });
  });

  it('lists whole accounts (log and digest folders together) when region folders would be too many', () => {
    const plan = planListing(folders(100, 17), '2024/01/01', '2026/11/21');

    expect({ level: plan.level, units: plan.units.length, first: plan.units[0] }).toEqual({
      level: 'account',
      units: 100,
      first: `${ORG}/100000000000/CloudTrail`,
    });
  });

  it('refuses more accounts than one execution holds, saying how to split the backfill', () => {
    expect(() => planListing(folders(30, 1), '2026/11/01', '2026/11/02', 20)).toThrow(
      /30 accounts need more listing runs than one execution holds \(20\): split the backfill by account/,
    );
  });
});

describe('the plan step', () => {
  const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Backfill';
  const SELF = 'arn:aws:states:us-east-1:123456789012:execution:Backfill:mine';
  const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:Backfill:other';

  function planner(running: RunningBackfill[] = [], inventoryBucket?: string) {
    return createBackfillHandler({
      source: { open: () => Promise.reject(new Error('the plan reads no object')) },
      store: { putEvents: () => Promise.reject(new Error('the plan writes nothing')) },
      ledger: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() },
      folders: new FakeFolders(KEYS),
      executions: { list: () => Promise.resolve(running) },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
      config: {
        bucket: 'logs',
        logPrefix: BASE,
        resultsBucket: 'results',
        dropReadOnly: false,
        defaultMaxConcurrency: 12,
        ...(inventoryBucket === undefined ? {} : { inventoryBucket }),
      },
    });
  }

  function planEvent(request: unknown) {
    return {
      action: 'plan',
      request,
      executionArn: SELF,
      executionName: 'mine',
      stateMachineArn: STATE_MACHINE,
      startTime: '2026-11-21T10:00:00.000Z',
    };
  }

  it('plans the listing units, the scope each batch checks, the concurrency and where failures are recorded', async () => {
    const plan = (await planner()(planEvent({ since: '2026-11-20', until: '2026-11-20', regions: ['us-east-1'] }))) as BackfillPlan;

    expect(plan).toEqual({
      source: 'listing',
      base: BASE,
      level: 'month',
      units: [
        '777788889999/CloudTrail/us-east-1/2026/11/',
        '777788889999/CloudTrail-Digest/us-east-1/2026/11/',
        `${ORG}/111122223333/CloudTrail/us-east-1/2026/11/`,
        `${ORG}/111122223333/CloudTrail-Digest/us-east-1/2026/11/`,
        `${ORG}/444455556666/CloudTrail/us-east-1/2026/11/`,
        `${ORG}/444455556666/CloudTrail-Digest/us-east-1/2026/11/`,
      ],
      manifest: null,
      scope: { firstDay: '2026/11/20', lastDay: '2026/11/21', accounts: [], regions: ['us-east-1'] },
      maxConcurrency: 12,
      resultsPrefix: 'runs/mine',
      results: 's3://results/runs/mine/',
      summary: '2026/11/20–2026/11/21 (delivery days), every account, regions us-east-1',
    });
  });

  it('refuses a range that overlaps a running execution\'s, naming it', async () => {
    const running = [
      { executionArn: SELF, input: JSON.stringify({ since: '2026-11-01' }), startDate: new Date() },
      { executionArn: OTHER, input: JSON.stringify({ since: '2026-11-15', until: '2026-11-30' }), startDate: new Date() },
    ];

    await expect(planner(running)(planEvent({ since: '2026-11-01', until: '2026-11-20' }))).rejects.toThrow(
      new BackfillOverlap(
        `execution ${OTHER} is running over 2026/11/15–2026/12/01 (delivery days), every account, every region, which ` +
          'overlaps 2026/11/01–2026/11/21 (delivery days), every account, every region: wait for it, or stop it first',
      ),
    );
  });

  it('starts beside a running execution over other accounts', async () => {
    const running = [
      { executionArn: OTHER, input: JSON.stringify({ since: '2026-11-01', accounts: ['444455556666'] }), startDate: new Date() },
    ];

    const plan = (await planner(running)(planEvent({ since: '2026-11-01', accounts: ['111122223333'] }))) as BackfillPlan;

    expect(plan.units.length).toBeGreaterThan(0);
  });

  it('reads an S3 Inventory manifest from the stack\'s inventory bucket instead of listing', async () => {
    const manifest = 's3://inventory/logs/2026-11-20T01-00Z/manifest.json';

    const plan = (await planner([], 'inventory')(planEvent({ since: '2026-11-01', manifest }))) as BackfillPlan;

    expect({ source: plan.source, units: plan.units, manifest: plan.manifest }).toEqual({
      source: 'manifest',
      units: [],
      manifest: { bucket: 'inventory', key: 'logs/2026-11-20T01-00Z/manifest.json' },
    });
  });

  it('refuses a manifest from another bucket than the stack reads', async () => {
    const manifest = 's3://elsewhere/logs/2026-11-20T01-00Z/manifest.json';

    await expect(planner([], 'inventory')(planEvent({ since: '2026-11-01', manifest }))).rejects.toThrow(
      new BackfillRequestError('"manifest": the stack reads S3 Inventory manifests from s3://inventory/ only'),
    );
  });
});
