/**
 * Jest global setup of the integration project: fetches and prepares DynamoDB Local once, before the workers start,
 * so parallel test files do not race its first download; and rebuilds the CLI bundle from the current source, so the
 * tests that run the `trail-audit` command run what the source says, not an earlier build.
 */
import { build } from '../../scripts/build';
import { ensureDynamoDBLocal } from '../../lambda/local/dynamodb-local';

export default async function globalSetup(): Promise<void> {
  await Promise.all([ensureDynamoDBLocal(), build(['cli'])]);
}
