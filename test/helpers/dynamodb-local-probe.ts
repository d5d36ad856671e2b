/**
 * Starts DynamoDB Local with the given cache folder, lists its tables, stops it, and prints
 * `{"endpoint":…,"tables":[…]}`. Run as a process of its own (`node --require tsx/cjs …`) by the launcher test, so
 * that the PATH the test gives it is the one the server is prepared and started with.
 *
 * Usage: node --require tsx/cjs test/helpers/dynamodb-local-probe.ts CACHE_DIR
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDBLocal } from '../../lambda/local/dynamodb-local';

async function probe(cacheDir: string): Promise<void> {
  const server = await startDynamoDBLocal({ cacheDir });
  try {
    const client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDPROBE', secretAccessKey: 'probe' },
    });
    const { TableNames } = await client.send(new ListTablesCommand({}));
    client.destroy();
    process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint, tables: TableNames })}\n`);
  } finally {
    await server.stop();
  }
}

const [cacheDir] = process.argv.slice(2);
if (cacheDir === undefined) throw new Error('usage: dynamodb-local-probe.ts CACHE_DIR');
probe(cacheDir).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
