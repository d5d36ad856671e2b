/**
 * Records whose bytes are not valid UTF-8, end to end: decode → pipeline → normalised event → DynamoDB items. Two
 * records whose eventIDs differ only in such bytes must stay two events and two stored events, each marked, with
 * the raw bytes recoverable; nothing may be merged or lost.
 */
import { gzipSync } from 'node:zlib';
import { itemSize, toItems } from '../../../lambda/core/item-mapping';
import { escapeLoneSurrogates, storedByteLength } from '../../../lambda/core/limits';
import { newCounts, normaliseLogObject, type KeptEvent } from '../../../lambda/core/pipeline';
import { chunked, collect, loadFixture } from '../../helpers/fixtures';

const KEY = 'AWSLogs/123456789012/CloudTrail/us-west-2/2026/11/20/123456789012_CloudTrail_us-west-2_20261120T1000Z_x.json.gz';
const NOW = new Date('2026-11-21T00:00:00Z');
const EVENT_ID = 'abcdef01-0000-4000-8000-00000000000';

/**
 * A gzipped log file of two copies of an ELB record whose eventIDs are `EVENT_ID` followed by one byte that is not
 * valid UTF-8 (0xff, then 0xfe): the records differ in that byte only.
 */
function logFileWithInvalidEventIds(): { gzipped: Buffer; plain: Buffer } {
  const template = JSON.stringify({ ...loadFixture('elbv2-delete-load-balancer'), eventID: `${EVENT_ID}#` });
  const [before, after] = template.split(`${EVENT_ID}#`) as [string, string];
  const recordWith = (byte: number): Buffer => Buffer.concat([Buffer.from(`${before}${EVENT_ID}`), Buffer.from([byte]), Buffer.from(after)]);
  const plain = Buffer.concat([Buffer.from('{"Records":['), recordWith(0xff), Buffer.from(','), recordWith(0xfe), Buffer.from(']}')]);
  return { gzipped: gzipSync(plain), plain };
}

async function keptEvents(): Promise<{ kept: KeptEvent[]; plain: Buffer }> {
  const { gzipped, plain } = logFileWithInvalidEventIds();
  return { kept: await collect(normaliseLogObject(chunked(gzipped, 100), { objectKey: KEY }, newCounts())), plain };
}

const wellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

describe('records with invalid UTF-8 in the eventID', () => {
  it('become two events with different eventIDs', async () => {
    // Act
    const { kept } = await keptEvents();

    // Assess
    expect(kept.map(({ event }) => event.eventID)).toEqual([`${EVENT_ID}\udcff`, `${EVENT_ID}\udcfe`]);
  });

  it('are marked as having had invalid UTF-8', async () => {
    // Act
    const { kept } = await keptEvents();

    // Assess
    expect(kept.map(({ event }) => event.invalidUtf8)).toEqual([true, true]);
  });

  it('keep the raw bytes of the record as read from the object', async () => {
    // Act
    const { kept, plain } = await keptEvents();

    // Assess
    expect(
      kept.map(({ rawBytes, source }) => {
        const offset = source?.offset ?? -1;
        return rawBytes !== undefined && Buffer.from(rawBytes).equals(plain.subarray(offset, offset + rawBytes.length));
      }),
    ).toEqual([true, true]);
  });

  it('are stored under two different event keys, each storable as UTF-8', async () => {
    // Prepare
    const { kept } = await keptEvents();

    // Act
    const eventItems = kept.map((event) => toItems(event, { now: NOW })[0]);

    // Assess
    const keys = eventItems.map((item) => String(item?.pk));
    expect({ keys, distinct: new Set(keys).size, wellFormed: keys.every(wellFormed) }).toEqual({
      keys: [`${EVENT_ID}\\udcff`, `${EVENT_ID}\\udcfe`],
      distinct: 2,
      wellFormed: true,
    });
  });

  it('write no string that is not well-formed into any item', async () => {
    // Prepare
    const { kept } = await keptEvents();

    // Act
    const items = kept.flatMap((event) => toItems(event, { now: NOW }));

    // Assess
    const strings = JSON.stringify(items, (_key, value: unknown) => (typeof value === 'string' && !wellFormed(value) ? 'NOT WELL-FORMED' : value));
    expect({ items: items.length > 2, leaks: strings.includes('NOT WELL-FORMED') }).toEqual({ items: true, leaks: false });
  });

  it('link each lookup item to its own event item', async () => {
    // Prepare
    const { kept } = await keptEvents();

    // Act
    const links = kept.map((event) => {
      const [eventItem, ...lookups] = toItems(event, { now: NOW });
      return lookups.filter((item) => 'lookup' in item).every((item) => item.eventID === eventItem?.pk && String(item.sk).includes(String(eventItem?.pk)));
    });

    // Assess
    expect(links).toEqual([true, true]);
  });

  it('keep the mark and the raw bytes in the event item, in base64', async () => {
    // Prepare
    const { kept } = await keptEvents();

    // Act
    const eventItems = kept.map((event) => toItems(event, { now: NOW })[0]);

    // Assess
    expect(
      eventItems.map((item, i) => ({
        invalidUtf8: item?.invalidUtf8,
        raw: Buffer.from(String(item?.rawRecordBase64), 'base64').equals(Buffer.from(kept[i]?.rawBytes ?? [])),
      })),
    ).toEqual([
      { invalidUtf8: true, raw: true },
      { invalidUtf8: true, raw: true },
    ]);
  });

  it('leave the raw bytes out rather than pass the item size limit, keeping the mark and the source', async () => {
    // Prepare
    const { kept } = await keptEvents();
    const event = kept[0] as KeptEvent;
    const limit = itemSize(toItems({ ...event, rawBytes: undefined, storedRecord: undefined }, { now: NOW })[0] ?? {}) + 100;

    // Act
    const [item] = toItems(event, { now: NOW, maxEventItemBytes: limit });

    // Assess
    expect({ fits: itemSize(item ?? {}) <= limit, raw: item?.rawRecordBase64, invalidUtf8: item?.invalidUtf8, source: item?.source }).toEqual({
      fits: true,
      raw: undefined,
      invalidUtf8: true,
      source: event.source,
    });
  });
});

describe('escapeLoneSurrogates', () => {
  it('spells each lone surrogate as \\udXXX and leaves everything else, pairs included', () => {
    // Act
    const escaped = escapeLoneSurrogates('a\udcffb \ud83d\ude00 \ud800');

    // Assess
    expect(escaped).toBe('a\\udcffb \ud83d\ude00 \\ud800');
  });

  it('returns a string with no lone surrogate as it is, surrogate pairs included', () => {
    // Act & Assess
    expect(escapeLoneSurrogates('é \ud83d\ude00')).toBe('é \ud83d\ude00');
  });

  it('spells a lone surrogate at either end of the string', () => {
    // Act & Assess
    expect([escapeLoneSurrogates('\udc80x'), escapeLoneSurrogates('x\ud83d')]).toEqual(['\\udc80x', 'x\\ud83d']);
  });
});

describe('storedByteLength', () => {
  it('counts UTF-8 bytes, and six for each lone surrogate (its escape), not the three of U+FFFD', () => {
    // Act & Assess
    expect(storedByteLength('é \ud83d\ude00')).toBe(7);
    expect(storedByteLength('a\udcffb \ud83d\ude00 \ud800')).toBe(20);
    expect(storedByteLength('a\udcffb \ud83d\ude00 \ud800')).toBe(Buffer.byteLength(escapeLoneSurrogates('a\udcffb \ud83d\ude00 \ud800')));
  });
});
