import type { NormalisedEvent } from '../../../lambda/core/types';
import {
  actionLabel,
  principalLabel,
  EVENT_COLUMNS,
  fitWidths,
  resourcesLabel,
  TableWriter,
  truncate,
  type Column,
} from '../../../lambda/cli/table';

/** A normalised event with the given fields replaced. */
function normalisedEvent(overrides: Partial<NormalisedEvent> = {}): NormalisedEvent {
  return {
    eventID: 'e-1',
    eventTime: '2026-11-20T10:00:00Z',
    service: 'elbv2',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventName: 'DeleteLoadBalancer',
    awsRegion: 'eu-west-1',
    accountId: '111122223333',
    readOnly: false,
    principal: {
      type: 'AssumedRole',
      id: 'arn:aws:iam::111122223333:role/Deployer',
      name: 'Deployer',
      sessionName: 'alice',
    },
    resources: [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        arn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/0123456789abcdef',
        name: 'web',
      },
    ],
    ...overrides,
  };
}

async function render<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  blockSize?: number,
  maxWidth?: number,
): Promise<string[]> {
  const lines: string[] = [];
  const table = new TableWriter(columns, (line) => {
    lines.push(line);
    return Promise.resolve();
  }, { ...(blockSize === undefined ? {} : { blockSize }), ...(maxWidth === undefined ? {} : { maxWidth }) });
  for (const row of rows) await table.add(row);
  await table.end();
  return lines;
}

const TWO: readonly Column<{ a: string; b: string }>[] = [
  { heading: 'A', cell: (row) => row.a },
  { heading: 'B', cell: (row) => row.b },
];

describe('TableWriter', () => {
  it('aligns columns to the widest cell of the first block', async () => {
    const lines = await render(TWO, [
      { a: 'x', b: '1' },
      { a: 'longer', b: '2' },
    ]);

    expect(lines).toEqual(['A       B', 'x       1', 'longer  2']);
  });

  it('prints the heading of an empty table', async () => {
    const lines = await render(TWO, []);

    expect(lines).toEqual(['A  B']);
  });

  it('cuts a later, longer cell to the width set by the first block', async () => {
    const lines = await render(
      TWO,
      [
        { a: 'abc', b: '1' },
        { a: 'abcdefgh', b: '2' },
      ],
      1,
    );

    expect(lines[2]).toBe('ab…  2');
  });

  it('does not pad the last column', async () => {
    const lines = await render(TWO, [{ a: 'x', b: '' }]);

    expect(lines[1]).toBe('x');
  });

  it('puts a multi-line value on one line', async () => {
    const lines = await render(TWO, [{ a: 'x', b: 'one\ntwo' }]);

    expect(lines[1]).toBe('x  one two');
  });
});

describe('truncate', () => {
  it('marks a cut with an ellipsis within the width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('leaves text that fits', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });
});

describe('labels', () => {
  it('shows an assumed role as role name and session name', () => {
    expect(principalLabel(normalisedEvent().principal)).toBe('Deployer/alice');
  });

  it('falls back to the stable id when a principal has no name', () => {
    expect(principalLabel({ type: 'AWSService', id: 'autoscaling.amazonaws.com' })).toBe('autoscaling.amazonaws.com');
  });

  it('shows resource names, each once, and an ARN where no name is known', () => {
    const label = resourcesLabel([
      { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'web' },
      { type: 'AWS::ElasticLoadBalancingV2::Listener', arn: 'arn:aws:elasticloadbalancing:x:1:listener/app/web/1/2' },
      { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'web' },
    ]);

    expect(label).toBe('web, arn:aws:elasticloadbalancing:x:1:listener/app/web/1/2');
  });

  it('writes the action as IAM does, ready for --action', () => {
    expect(actionLabel(normalisedEvent())).toBe('elasticloadbalancing:DeleteLoadBalancer');
  });
});

describe('a table on a terminal', () => {
  it('fits the width by narrowing the widest columns first', () => {
    expect(fitWidths([20, 5, 60, 9], 60)).toEqual([20, 5, 20, 9]);
  });

  it('does not narrow a column below 8 characters', () => {
    expect(fitWidths([30, 30], 10)).toEqual([8, 8]);
  });

  it('cuts every cell of a row to fit', async () => {
    const lines = await render(EVENT_COLUMNS, [normalisedEvent()], undefined, 80);

    expect(lines.map((line) => line.length <= 80)).toEqual([true, true]);
  });
});

describe('event tables', () => {
  it('renders rows with time, service, principal, action, resources, region and error', async () => {
    const lines = await render(EVENT_COLUMNS, [normalisedEvent()]);

    expect(lines).toEqual([
      'TIME                  SERVICE  PRINCIPAL       ACTION                                   RESOURCES  REGION     ERROR',
      '2026-11-20T10:00:00Z  elbv2    Deployer/alice  elasticloadbalancing:DeleteLoadBalancer  web        eu-west-1',
    ]);
  });

  it('tells a classic and a v2 load balancer of the same name apart in query rows', async () => {
    const classic = normalisedEvent({
      eventID: 'e-2',
      service: 'elb',
      resources: [{ type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: 'web' }],
    });

    const lines = await render(EVENT_COLUMNS, [normalisedEvent(), classic]);

    expect(lines[1]).not.toBe(lines[2]);
  });
});
