import {
  BackfillRequestError,
  parseBackfillRequest,
  requestsOverlap,
  type BackfillRequest,
} from '../../../lambda/app/backfill-request';

const NOW = new Date('2026-11-20T08:00:00Z');

function request(input: Record<string, unknown>): BackfillRequest {
  return parseBackfillRequest(input, NOW);
}

describe('parseBackfillRequest', () => {
  it('reads a date range as the delivery-day folders from since to the day after until', () => {
    expect(request({ since: '2024-01-01', until: '2024-12-31' })).toEqual({
      firstDay: '2024/01/01',
      lastDay: '2025/01/01',
      since: '2024-01-01T00:00:00.000Z',
      until: '2024-12-31T23:59:59.999Z',
    });
  });

  it('ends an open range at the execution start', () => {
    expect(request({ since: '2026-11-01T12:00:00Z' })).toMatchObject({ until: NOW.toISOString(), lastDay: '2026/11/21' });
  });

  it('keeps accounts and regions sorted and without repeats, and the concurrency and manifest asked for', () => {
    expect(
      request({
        since: '2026-11-01',
        accounts: ['444455556666', '111122223333', '444455556666'],
        regions: ['us-east-1'],
        maxConcurrency: 40,
        manifest: 's3://inventory-bucket/logs/inv/2026-11-19T01-00Z/manifest.json',
      }),
    ).toMatchObject({
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1'],
      maxConcurrency: 40,
      manifest: { bucket: 'inventory-bucket', key: 'logs/inv/2026-11-19T01-00Z/manifest.json' },
    });
  });

  it.each([
    [{}, /"since" is missing/],
    [{ since: '7d' }, /"since" must be an ISO 8601 time with a zone/],
    [{ since: '2024-02-30' }, /"since" must be/],
    [{ since: '2024-01-01T10:00:00' }, /"since" must be/],
    [{ since: '2024-02-01', until: '2024-01-01' }, /is after "until".*the range is empty/],
    [{ since: '2024-01-01', accounts: ['1234'] }, /"accounts": each entry must be a 12-digit account ID, got "1234"/],
    [{ since: '2024-01-01', regions: [] }, /"regions" must be a non-empty list/],
    [{ since: '2024-01-01', maxConcurrency: 0 }, /"maxConcurrency" must be a whole number from 1 to 10000/],
    [{ since: '2024-01-01', manifest: 's3://b/data.csv' }, /"manifest" must be the s3:\/\/ URL of an S3 Inventory manifest.json/],
    [{ since: '2024-01-01', acounts: ['111122223333'] }, /unknown field "acounts"/],
  ])('refuses %j, naming the field', (input, message) => {
    expect(() => request(input)).toThrow(message);
  });

  it('refuses an input that is not an object', () => {
    expect(() => parseBackfillRequest('2024-01-01', NOW)).toThrow(BackfillRequestError);
  });
});

describe('requestsOverlap', () => {
  const january = request({ since: '2024-01-01', until: '2024-01-31' });

  it('is true when the days meet and either reads every account and region', () => {
    expect(requestsOverlap(january, request({ since: '2024-01-31', until: '2024-03-01', accounts: ['111122223333'] }))).toBe(true);
  });

  it('is true when the last day read of one is the day after the other ends (the late-delivery day)', () => {
    expect(requestsOverlap(january, request({ since: '2024-02-01', until: '2024-02-10' }))).toBe(true);
  });

  it('is false when the days do not meet', () => {
    expect(requestsOverlap(january, request({ since: '2024-02-02', until: '2024-02-10' }))).toBe(false);
  });

  it('is false when both name accounts and none is shared', () => {
    expect(
      requestsOverlap(
        request({ since: '2024-01-01', accounts: ['111122223333'] }),
        request({ since: '2024-01-01', accounts: ['444455556666'] }),
      ),
    ).toBe(false);
  });

  it('is false when both name regions and none is shared', () => {
    expect(
      requestsOverlap(
        request({ since: '2024-01-01', regions: ['us-east-1'] }),
        request({ since: '2024-01-01', regions: ['eu-west-1'] }),
      ),
    ).toBe(false);
  });
});
