/**
 * Jest setup: the AWS SDK warns, on every import under Node.js < 22, that releases after January 2027 need Node 22.
 * The lock file pins today's SDK and the Lambda runs Node.js 22; the warning would only bury real test output.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
