import { DynamoDBFileLedger, LedgerItemError, s3ObjectId } from '../../../lambda/store/file-ledger';
import { fakeDocumentClient } from '../../helpers/dynamodb';

const TABLE = 'events';
const OBJECT_ID = s3ObjectId('logs', 'AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/f.json.gz');

/** A ledger item as DynamoDB returns it, with more attributes. */
function wireItem(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: { S: OBJECT_ID },
    sk: { S: 'LEDGER' },
    fingerprint: { S: 'abc' },
    events: { N: '3' },
    processedAt: { S: '2026-11-20T10:30:00Z' },
    ...extra,
  };
}

describe('DynamoDBFileLedger', () => {
  it('writes an entry under pk = object id, sk = LEDGER', async () => {
    // prepare
    const { client, requests } = fakeDocumentClient(() => ({ body: {} }));
    const ledger = new DynamoDBFileLedger({ client, tableName: TABLE });

    // act
    await ledger.put({ objectId: OBJECT_ID, fingerprint: 'abc', events: 3, processedAt: '2026-11-20T10:30:00Z' });

    // assess
    expect(requests[0]?.body).toMatchObject({
      TableName: TABLE,
      Item: { pk: { S: OBJECT_ID }, sk: { S: 'LEDGER' }, fingerprint: { S: 'abc' }, events: { N: '3' } },
    });
  });

  it('reads an entry written before the hash was kept, without one', async () => {
    // prepare
    const { client } = fakeDocumentClient(() => ({ body: { Item: wireItem() } }));
    const ledger = new DynamoDBFileLedger({ client, tableName: TABLE });

    // act
    const entry = await ledger.get(OBJECT_ID);

    // assess
    expect(entry).toEqual({ objectId: OBJECT_ID, fingerprint: 'abc', events: 3, processedAt: '2026-11-20T10:30:00Z' });
  });

  it('writes and reads back the SHA-256 of the decompressed bytes', async () => {
    // prepare: an answer to GetItem holding what the PutItem wrote
    const sha256 = 'a'.repeat(64);
    let written: Record<string, unknown> = {};
    const { client } = fakeDocumentClient((request) => {
      if (request.operation === 'PutItem') written = request.body['Item'] as Record<string, unknown>;
      return { body: request.operation === 'GetItem' ? { Item: written } : {} };
    });
    const ledger = new DynamoDBFileLedger({ client, tableName: TABLE });
    const entry = { objectId: OBJECT_ID, fingerprint: 'abc', events: 3, processedAt: '2026-11-20T10:30:00Z', sha256 };

    // act
    await ledger.put(entry);
    const read = await ledger.get(OBJECT_ID);

    // assess
    expect(read).toEqual(entry);
  });

  it('rejects a sha256 that is not a lower-case hex SHA-256', async () => {
    // prepare
    const { client } = fakeDocumentClient(() => ({ body: { Item: wireItem({ sha256: { S: 'not-a-hash' } }) } }));
    const ledger = new DynamoDBFileLedger({ client, tableName: TABLE });

    // act
    const reading = ledger.get(OBJECT_ID);

    // assess
    await expect(reading).rejects.toThrow(/sha256 that is not a lower-case hex SHA-256/);
  });

  it('rejects an item without a fingerprint', async () => {
    // prepare
    const { client } = fakeDocumentClient(() => ({ body: { Item: { pk: { S: OBJECT_ID }, sk: { S: 'LEDGER' } } } }));
    const ledger = new DynamoDBFileLedger({ client, tableName: TABLE });

    // act
    const reading = ledger.get(OBJECT_ID);

    // assess
    await expect(reading).rejects.toBeInstanceOf(LedgerItemError);
  });
});
