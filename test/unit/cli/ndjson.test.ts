import { eventLine } from '../../../lambda/cli/ndjson';
import type { NormalisedEvent } from '../../../lambda/core/types';

const EVENT: NormalisedEvent = {
  eventID: 'e-1',
  eventTime: '2026-11-20T10:00:00Z',
  service: 'elb',
  eventSource: 'elasticloadbalancing.amazonaws.com',
  eventName: 'DeleteLoadBalancer',
  awsRegion: 'eu-west-1',
  accountId: '111122223333',
  readOnly: false,
  errorCode: 'AccessDenied',
  principal: { type: 'IAMUser', id: 'arn:aws:iam::111122223333:user/Alice', name: 'Alice' },
  resources: [{ type: 'AWS::ElasticLoadBalancing::LoadBalancer', name: 'web', arn: 'arn:x' }],
};

/** The same event with every object's keys in reverse order, as a DynamoDB map may come back. */
function reversed(event: NormalisedEvent): NormalisedEvent {
  const flip = (value: object): Record<string, unknown> => Object.fromEntries(Object.entries(value).reverse());
  return {
    ...(flip(event) as unknown as NormalisedEvent),
    principal: flip(event.principal) as unknown as NormalisedEvent['principal'],
    resources: event.resources.map((resource) => flip(resource) as unknown as NormalisedEvent['resources'][number]),
  };
}

describe('eventLine', () => {
  it('writes one JSON object and a newline', () => {
    const line = eventLine(EVENT);

    expect(JSON.parse(line)).toEqual(EVENT);
  });

  it('ends with exactly one newline', () => {
    expect(eventLine(EVENT).endsWith('}\n')).toBe(true);
  });

  it('writes the same line whatever order the keys came in', () => {
    expect(eventLine(reversed(EVENT))).toBe(eventLine(EVENT));
  });

  it('writes the contract fields in the documented order', () => {
    const keys = Object.keys(JSON.parse(eventLine(reversed(EVENT))) as object);

    expect(keys).toEqual([
      'eventID',
      'eventTime',
      'service',
      'eventSource',
      'eventName',
      'awsRegion',
      'accountId',
      'readOnly',
      'errorCode',
      'principal',
      'resources',
    ]);
  });

  it('writes keys outside the contract after it, sorted, and leaves out undefined values', () => {
    const event = { zeta: 1, ...EVENT, alpha: 2, errorCode: undefined } as unknown as NormalisedEvent;

    const keys = Object.keys(JSON.parse(eventLine(event)) as object);

    expect(keys.slice(-4)).toEqual(['principal', 'resources', 'alpha', 'zeta']);
  });
});
