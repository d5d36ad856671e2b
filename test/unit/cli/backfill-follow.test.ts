import { backfillOutcome, estimateProgress, type BackfillView, type MapRunView } from '../../../lambda/cli/backfill-follow';

const START = new Date('2026-11-21T10:00:00Z');

function mapRun(overrides: Partial<MapRunView>): MapRunView {
  return {
    mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:Backfill/Objects:1',
    status: 'SUCCEEDED',
    startDate: START,
    total: 100,
    succeeded: 100,
    failed: 0,
    pending: 0,
    ...overrides,
  };
}

function view(overrides: Partial<BackfillView>): BackfillView {
  return {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Backfill:run',
    status: 'RUNNING',
    startDate: START,
    plan: { source: 'listing', units: 4, results: 's3://results/runs/run/', summary: 'range' },
    runs: [],
    ...overrides,
  };
}

describe('estimateProgress', () => {
  it('takes the runs not started to be as large as the ended ones', () => {
    const progress = estimateProgress(
      view({ runs: [mapRun({}), mapRun({ status: 'RUNNING', succeeded: 50, pending: 50 })] }),
      new Date(START.getTime() + 150_000),
    );

    // 150 objects in 150 s; left: 50 of the running run and 2 runs of 100.
    expect(progress).toEqual({ rate: 1, remainingMs: 250_000 });
  });

  it('gives no time left while no run has ended and some have not started', () => {
    const progress = estimateProgress(
      view({ runs: [mapRun({ status: 'RUNNING', succeeded: 10, pending: 90 })] }),
      new Date(START.getTime() + 10_000),
    );

    expect(progress).toEqual({ rate: 1 });
  });
});

describe('backfillOutcome', () => {
  it('exits 0 when every object succeeded', () => {
    expect(backfillOutcome(view({ status: 'SUCCEEDED', stopDate: START, runs: [mapRun({})] })).code).toBe(0);
  });

  it('exits 1 and says where the failed keys are when some failed within the tolerance', () => {
    const outcome = backfillOutcome(
      view({ status: 'SUCCEEDED', stopDate: START, runs: [mapRun({ succeeded: 90, failed: 10 })] }),
    );

    expect(outcome).toEqual({
      code: 1,
      lines: [
        'backfill: SUCCEEDED in 0:00 — 100 objects in 1 map run (90 succeeded, 10 failed)',
        expect.stringContaining('failed keys: the FAILED_*.json files under s3://results/runs/run/') as unknown,
      ],
    });
  });

  it('exits 3 with the error and cause of a stopped execution', () => {
    const outcome = backfillOutcome(
      view({ status: 'ABORTED', stopDate: START, error: 'Stopped', cause: 'by an operator', runs: [] }),
    );

    expect(outcome).toEqual({
      code: 3,
      lines: ['backfill: ABORTED in 0:00 — 0 objects in 0 map runs (0 succeeded, 0 failed)', 'backfill: Stopped: by an operator'],
    });
  });
});
