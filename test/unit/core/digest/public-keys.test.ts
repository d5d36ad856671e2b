import { choosePublicKey, parsePublicKeyList, PublicKeyListError, rsaPublicKeyFromDer } from '../../../../lambda/core/digest';

/**
 * The sample response of `aws cloudtrail list-public-keys` in the user guide ("Custom implementations...",
 * section B): real CloudTrail public keys, epoch-second times as strings, the list spelt `publicKeyList`.
 */
const GUIDE_SAMPLE = {
  publicKeyList: [
    {
      ValidityStartTime: '1436317441.0',
      ValidityEndTime: '1438909441.0',
      Value:
        'MIIBCgKCAQEAn11L2YZ9h7onug2ILi1MWyHiMRsTQjfWE+pHVRLk1QjfWhirG+lpOa8NrwQ/r7Ah5bNL6HepznOU9XTDSfmmnP97mqyc7z/upfZdS/AHhYcGaz7n6Wc/RRBU6VmiPCrAUojuSk6/GjvA8iOPFsYDuBtviXarvuLPlrT9kAd4Lb+rFfR5peEgBEkhlzc5HuWO7S0y+KunqxX6jQBnXGMtxmPBPP0FylgWGNdFtks/4YSKcgqwH0YDcawP9GGGDAeCIqPWIXDLG1jOjRRzWfCmD0iJUkz8vTsn4hq/5ZxRFE7UBAUiVcGbdnDdvVfhF9C3dQiDq3k7adQIziLT0cShgQIDAQAB',
      Fingerprint: '8eba5db5bea9b640d1c96a77256fe7f2',
    },
    {
      ValidityStartTime: '1434589460.0',
      ValidityEndTime: '1437181460.0',
      Value:
        'MIIBCgKCAQEApfYL2FiZhpN74LNWVUzhR+VheYhwhYm8w0n5Gf6i95ylW5kBAWKVEmnAQG7BvS5g9SMqFDQx52fW7NWV44IvfJ2xGXT+wT+DgR6ZQ+6yxskQNqV5YcXj4Aa5Zz4jJfsYjDuO2MDTZNIzNvBNzaBJ+r2WIWAJ/Xq54kyF63B6WE38vKuDE7nSd1FqQuEoNBFLPInvgggYe2Ym1Refe2z71wNcJ2kY+q0h1BSHrSM8RWuJIw7MXwF9iQncg9jYzUlNJomozQzAG5wSRfbplcCYNY40xvGd/aAmO0m+Y+XFMrKwtLCwseHPvj843qVno6x4BJN9bpWnoPo9sdsbGoiK3QIDAQAB',
      Fingerprint: '8933b39ddc64d26d8e14ffbf6566fee4',
    },
    {
      ValidityStartTime: '1434589370.0',
      ValidityEndTime: '1437181370.0',
      Value:
        'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqlzPJbvZJ42UdcmLfPUqXYNfOs6I8lCfao/tOs8CmzPOEdtLWugB9xoIUz78qVHdKIqxbaG4jWHfJBiOSSFBM0lt8cdVo4TnRa7oG9io5pysS6DJhBBAeXsicufsiFJR+wrUNh8RSLxL4k6G1+BhLX20tJkZ/erT97tDGBujAelqseGg3vPZbTx9SMfOLN65PdLFudLP7Gat0Z9p5jw/rjpclKfo9Bfc3heeBxWGKwBBOKnFAaN9V57pOaosCvPKmHd9bg7jsQkI9Xp22IzGLsTFJZYVA3KiTAElDMu80iFXPHEq9hKNbt9e4URFam+1utKVEiLkR2disdCmPTK0VQIDAQAB',
      Fingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
    },
  ],
};

describe('parsePublicKeyList', () => {
  it("reads the guide's sample list: fingerprints and epoch-second validity times", () => {
    const keys = parsePublicKeyList(GUIDE_SAMPLE, 'sample');

    expect(keys.map((key) => [key.fingerprint, key.validityStartTime.toISOString()])).toEqual([
      ['8eba5db5bea9b640d1c96a77256fe7f2', '2015-07-08T01:04:01.000Z'],
      ['8933b39ddc64d26d8e14ffbf6566fee4', '2015-06-18T01:04:20.000Z'],
      ['31e8b5433410dfb61a9dc45cc65b22ff', '2015-06-18T01:02:50.000Z'],
    ]);
  });

  it("turns every key of the guide's sample into an RSA public key, PKCS#1 and X.509 alike", () => {
    const keys = parsePublicKeyList(GUIDE_SAMPLE, 'sample');

    expect(keys.map((key) => rsaPublicKeyFromDer(key.value).asymmetricKeyDetails?.modulusLength)).toEqual([2048, 2048, 2048]);
  });

  it('reads ISO 8601 times, as AWS CLI v2 prints them', () => {
    const [entry] = GUIDE_SAMPLE.publicKeyList;
    const list = { PublicKeyList: [{ ...entry, ValidityStartTime: '2026-11-01T00:00:00+00:00', ValidityEndTime: '2026-12-01T00:00:00+00:00' }] };

    const [key] = parsePublicKeyList(list, 'v2');

    expect(key?.validityEndTime.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('names the entry and the field that is wrong, never the key', () => {
    const [entry] = GUIDE_SAMPLE.publicKeyList;
    const list = { PublicKeyList: [entry, { ...entry, ValidityEndTime: 'soon' }] };

    expect(() => parsePublicKeyList(list, 'keys.json')).toThrow(
      new PublicKeyListError('keys.json', 'PublicKeyList[1].ValidityEndTime is missing or not a time (ISO 8601 or epoch seconds)'),
    );
  });

  it('rejects JSON without a key list', () => {
    expect(() => parsePublicKeyList({ Trails: [] }, 'keys.json')).toThrow('keys.json: has no PublicKeyList array');
  });
});

describe('choosePublicKey', () => {
  const keys = parsePublicKeyList(GUIDE_SAMPLE, 'sample');
  const signedIn = (from: string) => ({ from: new Date(from), to: new Date(Date.parse(from) + 3_600_000) });

  it('chooses the key with the fingerprint, valid when the digest was signed', () => {
    const choice = choosePublicKey(keys, '31E8B5433410DFB61A9DC45CC65B22FF', signedIn('2015-07-01T00:00:00Z'));

    expect('key' in choice && choice.key.fingerprint).toBe('31e8b5433410dfb61a9dc45cc65b22ff');
  });

  it('refuses a key that was not valid then', () => {
    const choice = choosePublicKey(keys, '31e8b5433410dfb61a9dc45cc65b22ff', signedIn('2015-08-17T15:01:31Z'));

    expect(choice).toEqual({
      problem:
        'the public key with fingerprint 31e8b5433410dfb61a9dc45cc65b22ff was not valid when the digest was signed ' +
        '(2015-08-17T15:01:31.000Z to 2015-08-17T16:01:31.000Z)',
    });
  });

  it('says when no key has the fingerprint', () => {
    const choice = choosePublicKey(keys, '00', signedIn('2015-07-01T00:00:00Z'));

    expect(choice).toEqual({ problem: 'no public key with fingerprint 00 was given or listed' });
  });
});
