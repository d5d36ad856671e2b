/**
 * A one-time warm-up of the {@link RecordScanner}: a small made-up log, scanned in several chunkings, before the
 * first real object.
 *
 * Why: V8 optimises the scanner's record loop while it runs (on-stack replacement, in the middle of a 1 MiB chunk),
 * from the type feedback gathered so far. A branch the loop has not yet taken when it is optimised (an escape, a
 * string or record cut by a chunk boundary, the filter's member, a record list growing from empty) throws the
 * optimised code away when the real data first takes it, and the rest of that chunk runs in the interpreter, some
 * 20–60 ms each time. A fresh process (the CLI, a Lambda's first object) hit four to six of these on the benchmark
 * file: about 250 ms of CPU, as much as the whole scan once warm. Taking every branch once on a few hundred bytes
 * first costs well under a millisecond.
 */
import { RecordScanner } from './record-scanner';

/** Records that take each of the record loop's branches: wanted, other service, escaped key and value, no filter member. */
const SAMPLE_RECORDS = [
  '{"eventVersion":"1.08","eventSource":"elasticloadbalancing.amazonaws.com","eventName":"CreateLoadBalancer",' +
    '"requestParameters":{"subnets":["subnet-1","subnet-2"],"tags":[{"key":"a\\"b","value":"c\\\\d"}],"n":null},' +
    '"responseElements":{"loadBalancers":[{"dNSName":"x","port":443,"ratio":1.5,"on":true}]}}',
  '{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"a\\u00e9b",' +
    '"requestParameters":{"bucketName":"b","key":[[],{}]},"readOnly":true}',
  '{"event\\u0053ource":"autoscaling.amazonaws.com","eventName":"UpdateAutoScalingGroup"}',
  '{"eventSource":"elastic\\u0062eanstalk.amazonaws.com","eventName":"UpdateEnvironment"}',
  '{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","unicode":"caf\u00e9 \u{1f600}"}',
  '{"eventType":"AwsCloudTrailInsight","insightDetails":{"state":"Start"}}',
  '{"eventSource":1,"eventName":"Odd"}',
];

const SAMPLE = Buffer.from(
  `{"Records":[\n${SAMPLE_RECORDS.join(',\n')}\n],"other":{"k":[1,"s",null,true,false,-2.5e3]}}\n` +
    `{"Records":[${SAMPLE_RECORDS.slice(0, 2).join(',')}]}\n`,
  'utf8',
);

/**
 * Chunk ends that cut the sample just after each backslash (an escape continued in the next chunk) and inside each
 * occurrence of the filter's key (a member name that began in the previous chunk).
 */
const CUTS = cutsOf(SAMPLE);

function cutsOf(sample: Buffer): number[] {
  const cuts: number[] = [];
  for (let i = sample.indexOf(0x5c); i >= 0; i = sample.indexOf(0x5c, i + 2)) cuts.push(i + 1);
  for (let i = sample.indexOf('eventSource'); i >= 0; i = sample.indexOf('eventSource', i + 1)) cuts.push(i + 5);
  return cuts.sort((a, b) => a - b);
}

/** Chunk sizes that cut strings, keys and records at many places, and the whole sample in one chunk. */
const CHUNK_SIZES = [13, SAMPLE.length];

/** The filter the pipeline uses, in shape: one key, a few values. */
const SAMPLE_FILTER = {
  key: 'eventSource',
  values: ['elasticloadbalancing.amazonaws.com', 'elasticbeanstalk.amazonaws.com', 'autoscaling.amazonaws.com'],
};

let warmedUp = false;

/**
 * Scans the sample in several chunkings, with and without a filter, the first time it is called in a process; later
 * calls do nothing. Nothing it does is observable besides the time it takes (about a millisecond): its scanners are
 * thrown away.
 */
export function warmUpScanner(): void {
  if (warmedUp) return;
  warmedUp = true;
  // The same bytes at every alignment of a 4-byte word: the loop's head, word and tail paths.
  const padded = Buffer.alloc(SAMPLE.length + 4);
  for (let shift = 0; shift < 4; shift++) {
    SAMPLE.copy(padded, shift);
    const bytes = padded.subarray(shift, shift + SAMPLE.length);
    for (const size of CHUNK_SIZES) {
      const ends: number[] = [];
      for (let end = size; end < bytes.length; end += size) ends.push(end);
      scan(bytes, ends, SAMPLE_FILTER);
    }
  }
  scan(SAMPLE, CUTS, SAMPLE_FILTER);
  scan(SAMPLE, [], undefined);
}

/**
 * Scans `bytes` in chunks ending at `ends` (then the rest). The sample is valid JSON, so nothing throws; if a change
 * to the scanner made it throw, the decoder's tests would fail on it.
 */
function scan(bytes: Buffer, ends: readonly number[], filter: typeof SAMPLE_FILTER | undefined): void {
  const scanner = new RecordScanner({ filter });
  let start = 0;
  for (const end of [...ends, bytes.length]) {
    scanner.push(bytes.subarray(start, end));
    scanner.take();
    start = end;
  }
  scanner.end();
  scanner.take();
}
