/**
 * Jest global setup of the integration project: fetches and prepares DynamoDB Local once, before the workers
 * start, so parallel test files do not race its first download.
 */
import { ensureDynamoDBLocal } from '../../lambda/local/dynamodb-local';

export default async function globalSetup(): Promise<void> {
  await ensureDynamoDBLocal();
}
