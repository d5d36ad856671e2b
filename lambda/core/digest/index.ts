/**
 * Proof of completeness: the CloudTrail log file integrity validation algorithm, pure. Digest files are read and
 * validated, their signatures verified with CloudTrail's public keys, their chain checked link by link, and the
 * log files they list reconciled with what a source (a folder, a bucket, the processor's ledger) knows of them.
 *
 * Entry points: {@link verifyDigests} for a set of digests read together, then {@link reconcileLogFiles} per
 * digest and {@link findUnlistedLogFiles} once; a processor that sees one digest at a time composes
 * {@link readDigestContent}, {@link checkDigestLocation}, {@link signatureFromMetadata},
 * {@link checkDigestSignature}, {@link checkPreviousFields}, {@link checkPreviousDigest} and
 * {@link digestStatusOf} instead. No AWS SDK, no environment, no logging.
 */
export * from './digest-file';
export * from './log-file-hash';
export * from './object-names';
export * from './public-keys';
export * from './reconcile';
export * from './signature';
export * from './status';
export * from './verify-digests';
