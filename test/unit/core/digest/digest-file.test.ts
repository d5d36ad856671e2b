import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DigestFormatError, parseDigestFile, readDigestContent, sha256Hex } from '../../../../lambda/core/digest';
import { CORPUS_DIR } from '../../../helpers/fixtures';

/** The user guide's two sample digest files ("CloudTrail digest file structure"), from the shared corpus. */
const GUIDE_SAMPLE = path.join(CORPUS_DIR, 'awsdocs_examples', 'aws-cloudtrail-user-guide__cloudtrail-log-file-validation-digest-file-structure__01.json');
const GUIDE_EMPTY_HOUR = path.join(CORPUS_DIR, 'awsdocs_examples', 'aws-cloudtrail-user-guide__cloudtrail-log-file-validation-digest-file-structure__02.json');

function sample(): Record<string, unknown> {
  return JSON.parse(readFileSync(GUIDE_SAMPLE, 'utf8')) as Record<string, unknown>;
}

function formatError(content: string): DigestFormatError {
  try {
    parseDigestFile(content, 'digest.json.gz');
  } catch (error) {
    if (error instanceof DigestFormatError) return error;
    throw error;
  }
  throw new Error('no DigestFormatError was thrown');
}

describe('parseDigestFile', () => {
  it("reads the user guide's sample digest, with its previous digest and its log file", () => {
    const digest = parseDigestFile(readFileSync(GUIDE_SAMPLE), 'sample');

    expect({
      end: digest.digestEndTime,
      previous: digest.previousDigestS3Object,
      logFiles: digest.logFiles.map((file) => [file.s3Object, file.hashValue]),
    }).toEqual({
      end: '2015-08-17T15:01:31Z',
      previous:
        'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz',
      logFiles: [
        [
          'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz',
          '9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6',
        ],
      ],
    });
  });

  it("reads the guide's digest of an hour without log files: null event times, no log files", () => {
    const digest = parseDigestFile(readFileSync(GUIDE_EMPTY_HOUR), 'empty hour');

    expect({ newest: digest.newestEventTime, oldest: digest.oldestEventTime, logFiles: digest.logFiles }).toEqual({
      newest: null,
      oldest: null,
      logFiles: [],
    });
  });

  it('reads the first digest of a chain: the five previous-digest fields null', () => {
    const first = { ...sample(), previousDigestS3Bucket: null, previousDigestS3Object: null, previousDigestHashValue: null, previousDigestHashAlgorithm: null, previousDigestSignature: null };

    const digest = parseDigestFile(JSON.stringify(first), 'first');

    expect([digest.previousDigestS3Object, digest.previousDigestSignature]).toEqual([null, null]);
  });

  it.each([
    ['a required field is missing', { digestEndTime: undefined }, 'digestEndTime', 'is missing or not a non-empty string'],
    ['a time is not UTC', { digestEndTime: '2015-08-17 15:01' }, 'digestEndTime', 'is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)'],
    ['the previous signature is absent', { previousDigestSignature: undefined }, 'previousDigestSignature', 'is missing'],
    ['the previous hash is not a SHA-256', { previousDigestHashValue: 'abc' }, 'previousDigestHashValue', 'is not a hex SHA-256'],
    ['logFiles is not an array', { logFiles: {} }, 'logFiles', 'is missing or not an array'],
    ['a listed hash is not hex', { logFiles: [{ s3Bucket: 'b', s3Object: 'k', hashValue: 'zz', hashAlgorithm: 'SHA-256' }] }, 'logFiles[0].hashValue', 'is not a hex SHA-256'],
  ])('names the field when %s', (_case, change, field, problem) => {
    const error = formatError(JSON.stringify({ ...sample(), ...change }));

    expect({ field: error.field, problem: error.problem }).toEqual({ field, problem });
  });

  it('says a digest that is not JSON is not JSON, without quoting it', () => {
    const error = formatError('{"awsAccountId": "111122223333", secret');

    expect({ message: error.message, quotes: error.message.includes('secret') }).toEqual({
      message: 'digest file digest.json.gz: is not JSON',
      quotes: false,
    });
  });

  it('does not quote a malformed value in its message', () => {
    const error = formatError(JSON.stringify({ ...sample(), digestEndTime: 'leaked-value' }));

    expect(error.message.includes('leaked-value')).toBe(false);
  });
});

describe('readDigestContent', () => {
  it('hashes the uncompressed content of a gzipped digest', () => {
    const text = readFileSync(GUIDE_SAMPLE, 'utf8');

    const content = readDigestContent(gzipSync(text), 'sample.json.gz');

    expect(content.sha256).toBe(sha256Hex(text));
  });

  it('reads a digest that is already uncompressed', () => {
    const text = readFileSync(GUIDE_SAMPLE, 'utf8');

    const content = readDigestContent(Buffer.from(text), 'sample.json');

    expect(content.sha256).toBe(sha256Hex(text));
  });

  it('rejects gzip followed by other data', () => {
    const bytes = Buffer.concat([gzipSync(readFileSync(GUIDE_SAMPLE)), Buffer.from('trailing')]);

    expect(() => readDigestContent(bytes, 'sample.json.gz')).toThrow(
      'digest file sample.json.gz: is not valid gzip (corrupt, truncated, or data after its end)',
    );
  });
});
