/**
 * Starting several local servers at once without leaking any: each start assigns its server as soon as it is up
 * (the caller's `.then`), and this waits for every start to settle before reporting the first failure, so the
 * test file's afterAll finds and stops every server that did start.
 */
import { startDynamoDBLocal, type DynamoDBLocalServer } from '../../lambda/local/dynamodb-local';
import { startS3rver, type LocalS3 } from './s3rver';

/** Waits for every start to settle, then throws the first failure (`Promise.all` would return before the rest). */
export async function startServers(starts: readonly Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * DynamoDB Local and s3rver (holding `buckets`), started together. When one fails to start, the other is stopped
 * before the failure is thrown, so the caller's afterAll has nothing left to stop.
 */
export async function startDynamoDBAndS3(buckets: readonly string[]): Promise<{ dynamodb: DynamoDBLocalServer; s3: LocalS3 }> {
  let dynamodb: DynamoDBLocalServer | undefined;
  let s3: LocalS3 | undefined;
  try {
    await startServers([
      startDynamoDBLocal().then((started) => {
        dynamodb = started;
      }),
      startS3rver(buckets).then((started) => {
        s3 = started;
      }),
    ]);
  } catch (error) {
    await Promise.allSettled([dynamodb?.stop(), s3?.stop()]);
    throw error;
  }
  if (dynamodb === undefined || s3 === undefined) throw new Error('a local server did not start');
  return { dynamodb, s3 };
}
