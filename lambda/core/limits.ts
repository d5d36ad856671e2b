/**
 * What one record may cost, in one place: the bounds the boundary check, the resource extraction and the item
 * mapping put on a record, and DynamoDB's item limits they are derived from. A log object is untrusted input
 * (anyone who can put an object under `AWSLogs/` in the bucket writes one), so no record may cost more than
 * itself: each bound turns what would overflow the stack, write without end or fail a batch into a record counted
 * as invalid or stored trimmed and marked. docs/operations.md ("Reliability") states them for operators.
 */

/** DynamoDB's hard limit on an item's size (attribute names and values), in bytes. */
export const DYNAMODB_ITEM_BYTES = 400 * 1024;

/** DynamoDB's limit on a partition key value, in bytes: a longer value gets no item rather than failing a batch. */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** DynamoDB's limit on a sort key value, in bytes. */
export const MAX_SORT_KEY_BYTES = 1024;

/**
 * How deeply a record's values may nest (the record itself is level 1). CloudTrail's records nest about ten
 * levels; a record nested thousands of levels deep overflows the stack of any recursive walk (`JSON.stringify`,
 * the SDK's marshaller), so it is invalid. Every walk over record content is then bounded by this depth.
 */
export const MAX_RECORD_DEPTH = 64;

/**
 * The longest string, in bytes as stored, that may stand for an identifier: the fields CloudTrail writes as short
 * identifiers (`eventSource`, `eventName`, `awsRegion`, `errorCode`, the strings of `userIdentity`, ...) and the
 * resource names and ARNs read from a request. IAM's longest ARN is 2,048 characters and every real value is far
 * shorter; a longer value could not be a key. It bounds what one record adds to each of its items.
 */
export const MAX_IDENTIFIER_BYTES = 2048;

/**
 * The longest `eventID`, in bytes as stored. CloudTrail's are 36-character UUIDs; an event is stored under keys
 * made of its eventID (`pk = eventID`; lookup sort keys `<eventTime>#<eventID>#<lookup>`, at most 1,024 bytes), and
 * this bound keeps every one of them within DynamoDB's limits.
 */
export const MAX_EVENT_ID_BYTES = 512;

/**
 * The most resources one event lists (and so indexes: two lookup items each). The largest real calls name about a
 * thousand (RegisterTargets up to the 1,000 targets of a target group, plus the group); a forged record naming
 * 50,000 would write 100,000 items. Resources beyond the cap are left out, counted on the event
 * (`resourcesOmitted`), in the object's counts and in the `ResourcesOmitted` metric.
 */
export const MAX_RESOURCES_PER_EVENT = 2000;

/** A surrogate code unit that is not part of a pair (the `u` flag reads pairs as one code point). */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Whether a string has no lone surrogate (none {@link LONE_SURROGATE} would find): `String.prototype.isWellFormed`,
 * native in every Node.js the package runs on, but ES2024, newer than the TypeScript library this code compiles
 * against.
 */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * A string with each lone surrogate written as the six characters `\udXXX` (lower-case hex, as JSON.stringify
 * writes them): well-formed, so storable as UTF-8, and different for different surrogates. Strings without lone
 * surrogates are returned as they are. A surrogate the decoder made from a byte that was not valid UTF-8 is
 * U+DC00 + the byte: `\udcff` stands for byte 0xff.
 *
 * DynamoDB strings are UTF-8: the SDK would turn each lone surrogate into U+FFFD, and two eventIDs differing only
 * there would share one item.
 */
export function escapeLoneSurrogates(text: string): string {
  // Almost every string is well-formed: a native check first, instead of the regular expression's search.
  if (isWellFormed(text)) return text;
  return text.replace(LONE_SURROGATE, (surrogate) => `\\u${surrogate.charCodeAt(0).toString(16)}`);
}

/**
 * The size of a string as it is stored, in bytes: UTF-8, each lone surrogate counted as its six-character escape
 * (see {@link escapeLoneSurrogates}).
 */
export function storedByteLength(text: string): number {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (isWellFormed(text)) return bytes;
  // Buffer counts a lone surrogate as the 3 bytes of U+FFFD; its escape takes 6.
  return bytes + 3 * (text.match(LONE_SURROGATE)?.length ?? 0);
}

/**
 * Whether a string's stored size ({@link storedByteLength}) is at most `limit` bytes; cheap for short strings,
 * which every real identifier is.
 */
export function fitsBytes(text: string, limit: number): boolean {
  // A UTF-16 code unit is at least one byte and at most six as stored.
  if (text.length > limit) return false;
  if (text.length * 6 <= limit) return true;
  return storedByteLength(text) <= limit;
}
