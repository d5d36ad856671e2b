import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAlerts } from '../../../../lambda/cli/commands/alerts';
import { UsageError } from '../../../../lambda/cli/errors';
import { gzippedLogFile, record } from '../../../helpers/fixtures';
import { captureIO } from '../capture-io';

const DELETE = record({
  eventName: 'DeleteLoadBalancer',
  readOnly: false,
  requestParameters: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/0123456789abcdef' },
});
const STOP = record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', readOnly: false, requestParameters: { name: 'audit' } });
const OTHER_SERVICE = record({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' });

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'trail-audit-alerts-'));
  await writeFile(join(folder, 'a.json.gz'), gzippedLogFile([DELETE, OTHER_SERVICE]));
  // The delete again, as a redelivered file would hold it, and the trail stopped.
  await writeFile(join(folder, 'b.json.gz'), gzippedLogFile([DELETE, STOP]));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('trail-audit alerts', () => {
  it('prints one JSON line per alert with the contract fields, each (rule, eventID) once per run', async () => {
    const io = captureIO(folder);

    const code = await runAlerts(['.'], { json: true }, io);

    expect([code, io.stdout.lines().map((line) => JSON.parse(line) as unknown)]).toEqual([
      0,
      [
        {
          rule: 'elb.load-balancer-deleted',
          severity: 'medium',
          title: 'Load balancer deleted',
          eventID: DELETE.eventID,
          eventName: 'DeleteLoadBalancer',
          principal: 'arn:aws:iam::123456789012:user/Alice',
          resources: [expect.objectContaining({ arn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/0123456789abcdef' })],
        },
        {
          rule: 'cloudtrail.logging-stopped',
          severity: 'critical',
          title: 'CloudTrail logging stopped or trail deleted',
          eventID: STOP.eventID,
          eventName: 'StopLogging',
          principal: 'arn:aws:iam::123456789012:user/Alice',
          resources: [],
        },
      ],
    ]);
  });

  it('prints a table by default', async () => {
    const io = captureIO(folder);

    await runAlerts(['.'], {}, io);

    expect(io.stdout.lines().map((line) => line.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['SEVERITY', 'RULE'],
      ['MEDIUM', 'elb.load-balancer-deleted'],
      ['CRITICAL', 'cloudtrail.logging-stopped'],
    ]);
  });

  it('names a bad file on stderr, reads the others, and exits 1', async () => {
    await writeFile(join(folder, 'c.json'), '{"Records":[{"eventID":');
    const io = captureIO(folder);

    const code = await runAlerts(['.'], { json: true }, io);

    expect([code, io.stdout.lines().length, io.stderr.text()]).toEqual([1, 2, expect.stringContaining('c.json')]);
  });

  it('applies the configuration of a rules file', async () => {
    await writeFile(join(folder, 'rules.json'), JSON.stringify({ disabled: ['cloudtrail.logging-stopped'] }));
    const io = captureIO(folder);

    await runAlerts(['a.json.gz', 'b.json.gz'], { json: true, rules: 'rules.json' }, io);

    expect(io.stdout.lines().map((line) => (JSON.parse(line) as { rule: string }).rule)).toEqual(['elb.load-balancer-deleted']);
  });

  it('evaluates user rules from the rules file', async () => {
    const rule = {
      id: 'team.any-s3-read',
      title: 'S3 read',
      severity: 'info',
      match: { eventSource: 's3.amazonaws.com', eventName: 'GetObject' },
      description: 'd',
      remediation: 'r',
    };
    await writeFile(join(folder, 'rules.json'), JSON.stringify([rule]));
    const io = captureIO(folder);

    await runAlerts(['a.json.gz'], { json: true, rules: 'rules.json' }, io);

    expect(io.stdout.lines().map((line) => (JSON.parse(line) as { rule: string }).rule)).toEqual([
      'elb.load-balancer-deleted',
      'team.any-s3-read',
    ]);
  });

  it('refuses an invalid rules file, naming the rule and the problem', async () => {
    await writeFile(join(folder, 'rules.json'), JSON.stringify([{ id: 'bad', severity: 'urgent' }]));

    const error = await runAlerts(['.'], { rules: 'rules.json' }, captureIO(folder)).catch((e: unknown) => e);

    expect([error instanceof UsageError, (error as Error).message]).toEqual([
      true,
      expect.stringContaining('rule "bad": unknown severity "urgent"'),
    ]);
  });
});

describe('trail-audit alerts on the project\'s examples', () => {
  const examples = join(__dirname, '..', '..', '..', '..', 'examples');
  const event = (n: number): string => `7d3e4a10-2026-4b20-9c11-${String(n).padStart(12, '0')}`;

  it('prints the alerts docs/alerts.md lists, oldest first', async () => {
    const io = captureIO(examples);

    const code = await runAlerts(['.'], { json: true }, io);

    const printed = io.stdout.lines().map((line) => {
      const alert = JSON.parse(line) as { rule: string; eventID: string; count?: number };
      return [alert.rule, alert.eventID, alert.count];
    });
    expect([code, printed]).toEqual([
      0,
      [
        ['account.console-login-without-mfa', event(1), undefined],
        ['elb.plaintext-http-listener', event(3), undefined],
        ['elb.internet-facing-created', event(3), undefined],
        ['elb.internet-facing-created', event(5), undefined],
        ['elb.plaintext-http-listener', event(7), undefined],
        ['autoscaling.launch-configuration-public-ip', event(9), undefined],
        ['autoscaling.launch-configuration-imdsv1', event(9), undefined],
        ['elbv2.deletion-protection-disabled', event(19), undefined],
        ['elb.load-balancer-deleted', event(20), undefined],
        ['autoscaling.scaled-to-zero', event(23), undefined],
        ['account.root-user-activity', event(24), 2],
        ['elb.access-logs-disabled', event(25), undefined],
        ['cloudtrail.logging-stopped', event(26), undefined],
        ['elasticbeanstalk.environment-terminated', event(34), undefined],
      ],
    ]);
  });

  it('adds the region alert, one per principal and hour, with the example rules file', async () => {
    const io = captureIO(examples);

    await runAlerts(['.'], { json: true, rules: join('..', 'config', 'rules.example.json') }, io);

    const rules = io.stdout.lines().map((line) => (JSON.parse(line) as { rule: string }).rule);
    expect([rules.includes('account.region-not-allowed'), rules.includes('elb.internet-facing-created'), rules.includes('team.prod-load-balancer-changed')]).toEqual([
      true,
      false,
      true,
    ]);
  });
});

describe('the alerts summary', () => {
  it('writes one file, one record and one alert in the singular', async () => {
    const single = await mkdtemp(join(tmpdir(), 'trail-audit-alerts-one-'));
    await writeFile(join(single, 'a.json.gz'), gzippedLogFile([STOP]));
    const io = captureIO(single);

    await runAlerts(['.'], {}, io);
    await rm(single, { recursive: true, force: true });

    expect(io.stderr.text()).toBe('alerts: 1 alert from 1 record in 1 file\n');
  });
});
