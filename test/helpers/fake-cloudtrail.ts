/**
 * A fake CloudTrail on 127.0.0.1 that answers ListPublicKeys as the service does, for tests of code that uses the
 * SDK's standard configuration (point it here with `AWS_ENDPOINT_URL_CLOUDTRAIL`). No local CloudTrail exists,
 * so this stands in for it, and behaves like it:
 * - the AWS JSON 1.1 protocol (`X-Amz-Target: CloudTrail_20131101.ListPublicKeys`, epoch-second times);
 * - keys per region, the region read from the request's SigV4 credential scope (CloudTrail has a key pair per region);
 * - keys whose validity overlaps StartTime..EndTime (both default to now), StartTime after EndTime refused;
 * - pages of `pageSize` keys with an opaque NextToken, an unknown token refused;
 * - on demand, ThrottlingException (retried by the SDK) or a lasting AccessDeniedException.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudTrailPublicKey } from '../../lambda/core/digest';
import { readBody, sendJson, signedRegion } from './aws-json-wire';

/** One request the fake received. */
export interface ListPublicKeysCall {
  readonly region: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly nextToken?: string;
  /** What it answered: `ok`, or the error code. */
  readonly answer: string;
}

/** A running fake. */
export interface FakeCloudTrail {
  readonly endpoint: string;
  readonly calls: ListPublicKeysCall[];
  /** Answers the next `count` requests with ThrottlingException. */
  throttleNext(count: number): void;
  /** Answers every request with AccessDeniedException until called with false. */
  denyAll(deny: boolean): void;
  stop(): Promise<void>;
}

/** Starts the fake with the keys of each region. */
export async function startFakeCloudTrail(
  keysByRegion: Readonly<Record<string, readonly CloudTrailPublicKey[]>>,
  options: { readonly pageSize?: number; readonly now?: () => Date } = {},
): Promise<FakeCloudTrail> {
  const pageSize = options.pageSize ?? 1;
  const now = options.now ?? (() => new Date());
  const calls: ListPublicKeysCall[] = [];
  const tokens = new Map<string, number>();
  let throttle = 0;
  let deny = false;

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const region = signedRegion(req);
      const input = JSON.parse(body === '' ? '{}' : body) as { StartTime?: number; EndTime?: number; NextToken?: string };
      const call = (answer: string): void => {
        calls.push({
          region,
          ...(input.StartTime === undefined ? {} : { startTime: input.StartTime }),
          ...(input.EndTime === undefined ? {} : { endTime: input.EndTime }),
          ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }),
          answer,
        });
      };
      if (req.headers['x-amz-target'] !== 'CloudTrail_20131101.ListPublicKeys') {
        call('UnknownOperationException');
        return sendError(res, 400, 'UnknownOperationException', 'only ListPublicKeys is faked');
      }
      if (deny) {
        call('AccessDeniedException');
        return sendError(res, 400, 'AccessDeniedException', 'User is not authorized to perform: cloudtrail:ListPublicKeys');
      }
      if (throttle > 0) {
        throttle -= 1;
        call('ThrottlingException');
        return sendError(res, 400, 'ThrottlingException', 'Rate exceeded');
      }
      const start = input.StartTime ?? now().getTime() / 1000;
      const end = input.EndTime ?? now().getTime() / 1000;
      if (start > end) {
        call('InvalidTimeRangeException');
        return sendError(res, 400, 'InvalidTimeRangeException', 'StartTime is after EndTime');
      }
      let offset = 0;
      if (input.NextToken !== undefined) {
        const known = tokens.get(input.NextToken);
        if (known === undefined) {
          call('InvalidTokenException');
          return sendError(res, 400, 'InvalidTokenException', 'the NextToken is not valid');
        }
        offset = known;
      }
      const matching = (keysByRegion[region] ?? []).filter(
        (key) => key.validityStartTime.getTime() / 1000 <= end && key.validityEndTime.getTime() / 1000 >= start,
      );
      const page = matching.slice(offset, offset + pageSize);
      let nextToken: string | undefined;
      if (offset + pageSize < matching.length) {
        nextToken = `token-${tokens.size + 1}`;
        tokens.set(nextToken, offset + pageSize);
      }
      call('ok');
      sendJson(res, 200, {
        PublicKeyList: page.map((key) => ({
          Value: Buffer.from(key.value).toString('base64'),
          ValidityStartTime: key.validityStartTime.getTime() / 1000,
          ValidityEndTime: key.validityEndTime.getTime() / 1000,
          Fingerprint: key.fingerprint,
        })),
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    throttleNext(count) {
      throttle = count;
    },
    denyAll(value) {
      deny = value;
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error)))),
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { __type: `com.amazonaws.cloudtrail.v20131101#${code}`, message });
}
