/**
 * CloudTrail's public keys for digest signatures, from the ListPublicKeys API of the region that signed the
 * digests (CloudTrail signs with a key pair per region). Every page is read.
 */
import { paginateListPublicKeys, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { PublicKeySource } from '../app/ports';
import type { CloudTrailPublicKey } from '../core/digest';

/** Raised when ListPublicKeys fails or answers something unusable: names the region, never a key. */
export class PublicKeyLookupError extends Error {
  override readonly name = 'PublicKeyLookupError';
  constructor(
    message: string,
    readonly region: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The ListPublicKeys adapter: one client per region, made by `clientFor` (production: the SDK's standard
 * configuration with that region), so credentials, profile and endpoint (`AWS_ENDPOINT_URL_CLOUDTRAIL`) are the
 * SDK's. Throttling is retried by the SDK's standard retry strategy.
 */
export class CloudTrailPublicKeySource implements PublicKeySource {
  private readonly clients = new Map<string, CloudTrailClient>();

  constructor(private readonly clientFor: (region: string) => CloudTrailClient) {}

  /** Pages through ListPublicKeys for the range. */
  async listPublicKeys(region: string, start: Date, end: Date): Promise<CloudTrailPublicKey[]> {
    const client = this.client(region);
    const keys: CloudTrailPublicKey[] = [];
    try {
      for await (const page of paginateListPublicKeys({ client }, { StartTime: start, EndTime: end })) {
        for (const key of page.PublicKeyList ?? []) {
          if (
            key.Fingerprint === undefined ||
            key.Value === undefined ||
            key.ValidityStartTime === undefined ||
            key.ValidityEndTime === undefined
          ) {
            throw new PublicKeyLookupError(`ListPublicKeys in ${region} returned a key without its value, fingerprint or validity`, region);
          }
          keys.push({
            fingerprint: key.Fingerprint,
            value: key.Value,
            validityStartTime: key.ValidityStartTime,
            validityEndTime: key.ValidityEndTime,
          });
        }
      }
    } catch (error) {
      if (error instanceof PublicKeyLookupError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new PublicKeyLookupError(`cannot list CloudTrail public keys in ${region} (${reason})`, region, { cause: error });
    }
    return keys;
  }

  /** Closes the clients made. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private client(region: string): CloudTrailClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    return client;
  }
}
