/**
 * Records an attacker (anyone who can put an object under `AWSLogs/` in the bucket) can write and CloudTrail never
 * does, as JSON text: a record nested thousands of levels deep cannot even be built by `JSON.stringify`. Each is an
 * Elastic Load Balancing call, so the pipeline parses it rather than passing it over as another service's.
 */
import { MAX_EVENT_ID_BYTES, MAX_IDENTIFIER_BYTES } from '../../lambda/core/limits';

/** The load balancer every hostile record acts on. */
export const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/73e2d6bc24d8a067';

/** The JSON text of a valid RegisterTargets call with the given fields replaced or added (values as JSON text). */
export function recordText(eventID: string, fields: Readonly<Record<string, string>> = {}): string {
  const base: Record<string, string> = {
    eventVersion: '"1.08"',
    userIdentity: '{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/mallory","accountId":"123456789012","userName":"mallory"}',
    eventTime: '"2026-11-20T10:00:00Z"',
    eventSource: '"elasticloadbalancing.amazonaws.com"',
    eventName: '"RegisterTargets"',
    awsRegion: '"us-west-2"',
    sourceIPAddress: '"198.51.100.9"',
    requestParameters: `{"targetGroupArn":"${TARGET_GROUP_ARN}","targets":[{"id":"i-0123456789abcdef0"}]}`,
    responseElements: 'null',
    eventID: JSON.stringify(eventID),
    readOnly: 'false',
    eventType: '"AwsApiCall"',
    apiVersion: '"2015-12-01"',
    recipientAccountId: '"123456789012"',
    ...fields,
  };
  return `{${Object.entries(base)
    .map(([name, value]) => `${JSON.stringify(name)}:${value}`)
    .join(',')}}`;
}

/** A value nested `depth` levels deep, as JSON text. */
export function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

/** The kinds of hostile record, each with what the pipeline must make of it. */
export const HOSTILE_RECORDS = {
  /** Nested 5,000 levels deep: overflowed the stack of `JSON.stringify` when its item was built. Invalid. */
  deep: (eventID: string, depth = 5_000): string => recordText(eventID, { requestParameters: `{"deep":${nestedText(depth)}}` }),
  /** A 30 February, 25th hour, 61st minute and second. Invalid. */
  impossibleDate: (eventID: string): string => recordText(eventID, { eventTime: '"2024-02-30T25:61:61Z"' }),
  /** An eventID too long for the keys an event is stored under. Invalid. */
  longEventId: (eventID: string): string => recordText(`${eventID}-${'x'.repeat(3 * MAX_EVENT_ID_BYTES)}`),
  /** An eventName of 500 KB: copied into every lookup item's summary, it failed the batch. Invalid. */
  longEventName: (eventID: string): string => recordText(eventID, { eventName: JSON.stringify(`Register${'x'.repeat(500 * 1024)}`) }),
  /** A RegisterTargets naming `targets` instances: kept, its resources capped. */
  fanOut: (eventID: string, targets = 50_000): string =>
    recordText(eventID, {
      requestParameters: `{"targetGroupArn":"${TARGET_GROUP_ARN}","targets":[${Array.from(
        { length: targets },
        (_, index) => `{"id":"i-${index.toString(16).padStart(17, '0')}"}`,
      ).join(',')}]}`,
    }),
  /**
   * A ComposeEnvironments whose response names `environments` environments: a third by ID only, a third of one name
   * (each with an ARN of its own), and a third by ARN, that name and the ID of one of the first third, each of which
   * gives an environment named by its ID its real name (what made the resource merge's index quadratic). Kept, its
   * resources capped.
   */
  renamedFanOut: (eventID: string, environments = 30_000): string => {
    const third = Math.floor(environments / 3);
    const id = (index: number): string => `e-${index.toString(36).padStart(10, '0')}`;
    // Short stand-ins for ARNs (the merge compares them as they are), so that many environments fit in one record.
    const described = [
      ...Array.from({ length: third }, (_, index) => `{"environmentId":"${id(index)}"}`),
      ...Array.from({ length: third }, (_, index) => `{"environmentArn":"b${index}","environmentName":"web"}`),
      ...Array.from(
        { length: third },
        (_, index) => `{"environmentArn":"a${index}","environmentName":"web","environmentId":"${id(index)}"}`,
      ),
    ];
    return recordText(eventID, {
      eventSource: '"elasticbeanstalk.amazonaws.com"',
      eventName: '"ComposeEnvironments"',
      apiVersion: '"2010-12-01"',
      requestParameters: '{"applicationName":"web"}',
      responseElements: `{"environments":[${described.join(',')}]}`,
    });
  },
  /** A record of more than 400 KB (a huge responseElements): kept, its stored record trimmed. */
  oversized: (eventID: string, bytes = 450 * 1024): string =>
    recordText(eventID, { responseElements: `{"blob":${JSON.stringify('r'.repeat(bytes))}}` }),
  /** A resource name longer than any identifier: kept, the name ignored. */
  longResourceName: (eventID: string): string =>
    recordText(eventID, {
      eventName: '"DeleteLoadBalancer"',
      apiVersion: '"2012-06-01"',
      requestParameters: `{"loadBalancerName":${JSON.stringify('n'.repeat(MAX_IDENTIFIER_BYTES * 100))}}`,
    }),
} as const;

/** The text of a CloudTrail log file holding records given as JSON text. */
export function logFileOfTexts(texts: readonly string[]): string {
  return `{"Records":[${texts.join(',')}]}`;
}
