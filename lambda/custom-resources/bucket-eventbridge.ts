/**
 * The CloudFormation custom resource `Custom::BucketEventBridgeDelivery`: turns on an existing bucket's delivery of
 * events to Amazon EventBridge without touching the rest of its notification configuration (another team's queues,
 * topics and functions), and on delete turns it off again only if this resource is what turned it on.
 *
 * S3 has one call to change a bucket's notifications, `PutBucketNotificationConfiguration`, and it replaces the
 * whole configuration. So the configuration is read, EventBridge added, and the same configuration written back;
 * S3 offers no conditional write, so a change someone else makes between the read and the write would be lost. To
 * keep that window rare and short:
 * - nothing is written when EventBridge delivery is already on (the common case on a shared trail bucket);
 * - the write follows the read at once, and is checked by reading again after a pause: if someone else's write,
 *   made from a read older than ours, took EventBridge back out, the whole cycle runs again (a few times);
 * - destinations are not re-validated (`SkipDestinationValidation`): the other configurations go back exactly as S3
 *   holds them, and S3 sends no test message into another team's queue, nor refuses the write because one of their
 *   destinations broke since;
 * - `ExpectedBucketOwner` is the stack's account, so a bucket of the same name in another account is never written.
 *
 * Whether this resource turned delivery on is kept in its physical ID (`BUCKET/enabled-by-stack` or
 * `BUCKET/found-enabled`): CloudFormation gives a delete request nothing else of the resource's past.
 */
import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { errorFields } from '../app/error-fields';
import { logger } from '../observability';

/** A bucket's notification configuration, read and written whole. */
export interface NotificationConfigurationApi {
  get(): Promise<NotificationConfiguration>;
  put(configuration: NotificationConfiguration): Promise<void>;
}

/** Whether EventBridge delivery was on before this resource, or this resource turned it on. */
export type DeliveryState = 'enabled-by-stack' | 'found-enabled';

/** How hard to try against concurrent writers. */
export interface RetryOptions {
  /** Read-write-check cycles before giving up. @default 4 */
  readonly attempts?: number;
  /** Wait between a write and the read that checks it (bucket configuration reads settle after a write). @default 2000 */
  readonly settleMs?: number;
}

/** Raised when the configuration kept being rewritten by someone else: nothing was lost, the change did not hold. */
export class ConcurrentEditError extends Error {
  override readonly name = 'ConcurrentEditError';
}

/**
 * Turns EventBridge delivery on, keeping every other configuration of the bucket as it is.
 * @returns `found-enabled` when it was on already (nothing written), else `enabled-by-stack`
 * @throws ConcurrentEditError when another writer keeps replacing the configuration without it
 */
export async function ensureEventBridgeDelivery(api: NotificationConfigurationApi, options: RetryOptions = {}): Promise<DeliveryState> {
  const result = await writeUntil(api, options, (configuration) =>
    configuration.EventBridgeConfiguration === undefined ? { ...otherConfigurations(configuration), EventBridgeConfiguration: {} } : undefined,
  );
  return result === 'unchanged' ? 'found-enabled' : 'enabled-by-stack';
}

/**
 * Turns EventBridge delivery off, keeping every other configuration of the bucket as it is.
 * @throws ConcurrentEditError when another writer keeps replacing the configuration with it
 */
export async function removeEventBridgeDelivery(api: NotificationConfigurationApi, options: RetryOptions = {}): Promise<'removed' | 'already-off'> {
  const result = await writeUntil(api, options, (configuration) =>
    configuration.EventBridgeConfiguration === undefined ? undefined : otherConfigurations(configuration),
  );
  return result === 'unchanged' ? 'already-off' : 'removed';
}

/**
 * Reads the configuration, writes `change(configuration)` back unless it is undefined (nothing to do), and checks the
 * write held by reading again after a pause; repeats while it did not.
 */
async function writeUntil(
  api: NotificationConfigurationApi,
  options: RetryOptions,
  change: (configuration: NotificationConfiguration) => NotificationConfiguration | undefined,
): Promise<'unchanged' | 'written'> {
  const attempts = options.attempts ?? 4;
  const settleMs = options.settleMs ?? 2000;
  let wrote = false;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const next = change(await api.get());
    if (next === undefined) return wrote ? 'written' : 'unchanged';
    await api.put(next);
    wrote = true;
    await new Promise((resolve) => setTimeout(resolve, settleMs * attempt));
    if (change(await api.get()) === undefined) return 'written';
  }
  throw new ConcurrentEditError(
    `the bucket's notification configuration was replaced by another writer ${attempts} times in a row; deploy again once it is quiet`,
  );
}

/** The configuration's queue, topic and function notifications, exactly as read; without EventBridge. */
function otherConfigurations(configuration: NotificationConfiguration): NotificationConfiguration {
  // Each kind S3 knows, named: the read's response metadata must not be written back. A kind an S3 release adds
  // after this SDK version would be dropped: the SDK is pinned by the lock file and bundled, and a test lists the
  // kinds its NotificationConfiguration type declares, so an SDK update that adds one fails that test first.
  const { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations } = configuration;
  return {
    ...(TopicConfigurations === undefined ? {} : { TopicConfigurations }),
    ...(QueueConfigurations === undefined ? {} : { QueueConfigurations }),
    ...(LambdaFunctionConfigurations === undefined ? {} : { LambdaFunctionConfigurations }),
  };
}

/** The notification configuration of one bucket through the S3 API, checked to be owned by `expectedOwner`. */
export function s3NotificationConfigurationApi(client: S3Client, bucket: string, expectedOwner: string): NotificationConfigurationApi {
  return {
    async get() {
      const output = await client.send(
        new GetBucketNotificationConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: expectedOwner }),
      );
      return {
        ...otherConfigurations(output),
        ...(output.EventBridgeConfiguration === undefined ? {} : { EventBridgeConfiguration: output.EventBridgeConfiguration }),
      };
    },
    async put(configuration) {
      await client.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          ExpectedBucketOwner: expectedOwner,
          NotificationConfiguration: configuration,
          SkipDestinationValidation: true,
        }),
      );
    },
  };
}

/** The resource's properties, as the construct sets them. */
interface DeliveryProperties {
  readonly BucketName: string;
  readonly ExpectedBucketOwner: string;
}

/** What to do for one request: the physical ID to answer with, once the bucket is as it should be. */
export async function handleRequest(
  event: CloudFormationCustomResourceEvent,
  apiFor: (properties: DeliveryProperties) => NotificationConfigurationApi,
  options: RetryOptions = {},
): Promise<string> {
  const properties = propertiesOf(event.ResourceProperties);
  switch (event.RequestType) {
    case 'Create':
      return physicalId(properties.BucketName, await ensureEventBridgeDelivery(apiFor(properties), options));
    case 'Update': {
      const state = await ensureEventBridgeDelivery(apiFor(properties), options);
      const previous = parsePhysicalId(event.PhysicalResourceId);
      if (previous?.bucket === properties.BucketName && previous.state === 'enabled-by-stack') {
        // Keep the ID: a new one would make CloudFormation delete the old, which would turn delivery off.
        return event.PhysicalResourceId;
      }
      // Another bucket (CloudFormation then deletes the old ID, for the old bucket), or the same one that this
      // resource has now had to turn on (deleting the old `found-enabled` ID does nothing).
      return physicalId(properties.BucketName, state);
    }
    case 'Delete': {
      const previous = parsePhysicalId(event.PhysicalResourceId);
      if (previous?.state === 'enabled-by-stack') {
        await removeEventBridgeDelivery(apiFor({ ...properties, BucketName: previous.bucket }), options);
      }
      return event.PhysicalResourceId;
    }
  }
}

function propertiesOf(value: Record<string, unknown>): DeliveryProperties {
  const { BucketName, ExpectedBucketOwner } = value;
  if (typeof BucketName !== 'string' || BucketName === '' || typeof ExpectedBucketOwner !== 'string' || ExpectedBucketOwner === '') {
    throw new Error('Custom::BucketEventBridgeDelivery needs BucketName and ExpectedBucketOwner');
  }
  return { BucketName, ExpectedBucketOwner };
}

function physicalId(bucket: string, state: DeliveryState): string {
  return `${bucket}/${state}`;
}

/** The bucket and state of a physical ID this resource answered with; undefined for any other (a failed create's). */
function parsePhysicalId(id: string): { bucket: string; state: DeliveryState } | undefined {
  const match = /^([^/]+)\/(enabled-by-stack|found-enabled)$/.exec(id);
  return match === null ? undefined : { bucket: match[1] as string, state: match[2] as DeliveryState };
}

/** The CloudFormation response to a request, sent to its presigned URL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/**
 * Handles one request and always answers CloudFormation (a custom resource that never answers holds the stack for an
 * hour): SUCCESS with the physical ID, or FAILED with the error's name and message. A failed create answers with an
 * ID no later delete acts on.
 */
export async function respondTo(
  event: CloudFormationCustomResourceEvent,
  apiFor: (properties: DeliveryProperties) => NotificationConfigurationApi,
  send: (url: string, response: CustomResourceResponse) => Promise<void>,
  options: RetryOptions = {},
): Promise<CustomResourceResponse> {
  const common = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  let response: CustomResourceResponse;
  try {
    const id = await handleRequest(event, apiFor, options);
    response = { ...common, Status: 'SUCCESS', Reason: 'done', PhysicalResourceId: id };
  } catch (error) {
    const { errorName, errorMessage } = errorFields(error);
    response = {
      ...common,
      Status: 'FAILED',
      Reason: `${typeof errorName === 'string' ? errorName : 'Error'}: ${typeof errorMessage === 'string' ? errorMessage : ''}`.slice(0, 1000),
      PhysicalResourceId: event.RequestType === 'Create' ? `${event.LogicalResourceId}/not-created` : event.PhysicalResourceId,
    };
  }
  await send(event.ResponseURL, response);
  return response;
}

/** PUTs the response to CloudFormation's presigned URL (an empty content type, as the URL was signed for). */
export async function sendResponse(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const answer = await fetch(url, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) throw new Error(`CloudFormation refused the response: HTTP ${answer.status}`);
}

const s3 = new S3Client({});

/** The Lambda entry point. */
export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
  logger.addContext(context);
  const response = await respondTo(
    event,
    (properties) => s3NotificationConfigurationApi(s3, properties.BucketName, properties.ExpectedBucketOwner),
    sendResponse,
  );
  // The bucket and what was done; never the configuration (other teams' queue and function ARNs).
  logger[response.Status === 'SUCCESS' ? 'info' : 'error']('bucket EventBridge delivery', {
    requestType: event.RequestType,
    status: response.Status,
    physicalResourceId: response.PhysicalResourceId,
    ...(response.Status === 'FAILED' ? { reason: response.Reason } : {}),
  });
};
