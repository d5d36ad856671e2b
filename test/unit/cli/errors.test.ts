/**
 * Which errors say the table cannot be used at all (the run stops once, exit code 3) and which are one file's
 * (named, the run goes on, exit code 1).
 */
import { EventStoreWriteError } from '../../../lambda/app/ports';
import { tableFailureReason } from '../../../lambda/cli/errors';
import { LogDecodeError } from '../../../lambda/core/decode';

function socketError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
}

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

describe('tableFailureReason', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])('names a connection that is %s', (code) => {
    expect(tableFailureReason(socketError(code))).toBe(`${code}: connect ${code} 127.0.0.1:8000`);
  });

  it('looks through a write error to the socket error that caused it', () => {
    const write = new EventStoreWriteError(
      'BatchWriteItem failed',
      { tableName: 't', itemsWritten: 0, retries: 9, itemsFailed: 25, attempts: 10, eventIDs: [] },
      { cause: socketError('ECONNREFUSED') },
    );

    expect(tableFailureReason(write)).toMatch(/^ECONNREFUSED/);
  });

  it.each(['ResourceNotFoundException', 'UnrecognizedClientException', 'ExpiredTokenException', 'CredentialsProviderError'])(
    'names %s',
    (name) => {
      expect(tableFailureReason(named(name))).toBe(`${name}: ${name}`);
    },
  );

  it('is undefined for a corrupt file', () => {
    expect(tableFailureReason(new LogDecodeError('a.json.gz', 10, 0, 'not JSON'))).toBeUndefined();
  });

  it('is undefined for throttling, which passes', () => {
    expect(tableFailureReason(named('ProvisionedThroughputExceededException'))).toBeUndefined();
  });
});
