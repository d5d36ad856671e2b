import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { createEncryptedLogGroup } from './kms-defaults';

/** The repository root: entry points, the lock file and the esbuild binary are resolved from it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The runtime of every trail-audit function, set explicitly (never left to a CDK default that moves with upgrades).
 *
 * Node.js 22 is the LTS the code is built for (`target: node22`); moving to a newer LTS is this one line plus the
 * esbuild target below, after the tests pass on it.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** The esbuild target matching {@link FUNCTION_RUNTIME}. */
const ESBUILD_TARGET = 'node22';

/** Props of {@link createNodejsFunction}: what differs between functions; everything else is a house default. */
export interface NodejsFunctionDefaultsProps {
  /** The TypeScript entry file, absolute or relative to the project root. */
  readonly entry: string;
  /**
   * The exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * Memory in MB. CPU is allotted in proportion, so it also sets how fast gunzip and JSON parsing run.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * The function timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's own log group keeps its entries.
   * @default logs.RetentionDays.ONE_YEAR — the year an incident review reaches back (AWS Control Tower
   *   CT.CLOUDWATCH.PR.2)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A customer-managed key to encrypt the function's log group with (its policy gets the CloudWatch Logs statement,
   * and the log group an explicit name the statement can name).
   * @default CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Environment variables set at creation. Prefer `fn.addEnvironment` next to the matching `grant*` call.
   * @default none beyond NODE_OPTIONS
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * esbuild `afterBundling` commands, e.g. to copy a data file next to the bundle.
   * @default none
   */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * Creates a `NodejsFunction` with the house defaults: explicit runtime on arm64, an esbuild bundle built locally
 * (minified, with source maps that Node applies to stack traces), an explicit log group with retention (optionally
 * encrypted with a customer-managed key), and a role that may write only to that log group.
 *
 * Why a factory rather than a subclass: the defaults are data, not behaviour, and every caller gets a plain
 * `NodejsFunction` to `grant*` on. The role is built here instead of letting Lambda attach the
 * `AWSLambdaBasicExecutionRole` managed policy, whose `logs:*` actions apply to every log group in the account.
 */
export function createNodejsFunction(
  scope: Construct,
  id: string,
  props: NodejsFunctionDefaultsProps,
): nodejs.NodejsFunction {
  const logGroupProps = {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    // Operational logs (IDs and counts); the audit evidence itself is in the log bucket, which is retained.
    removalPolicy: RemovalPolicy.DESTROY,
  };
  const logGroup =
    props.logEncryptionKey === undefined
      ? new logs.LogGroup(scope, `${id}LogGroup`, logGroupProps)
      : createEncryptedLogGroup(scope, `${id}LogGroup`, { ...logGroupProps, encryptionKey: props.logEncryptionKey });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${props.description}`,
  });
  logGroup.grantWrite(role);

  const afterBundling = props.afterBundling;
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: path.resolve(PROJECT_ROOT, props.entry),
    handler: props.handler ?? 'handler',
    description: props.description,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: FUNCTION_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 1024,
    timeout: props.timeout ?? Duration.minutes(5),
    role,
    logGroup,
    environment: {
      // Stack traces point at the TypeScript source, through the bundled source map.
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    },
    bundling: {
      // Local esbuild from node_modules: no Docker needed to synth or deploy.
      forceDockerBundling: false,
      minify: true,
      sourceMap: true,
      target: ESBUILD_TARGET,
      format: nodejs.OutputFormat.CJS,
      // The AWS SDK version that passed the tests is the one deployed, not whatever the runtime ships that week.
      bundleAwsSDK: true,
      externalModules: [],
      ...(afterBundling === undefined
        ? {}
        : {
            commandHooks: {
              beforeBundling: (): string[] => [],
              beforeInstall: (): string[] => [],
              afterBundling: (inputDir: string, outputDir: string): string[] => afterBundling(inputDir, outputDir),
            },
          }),
    },
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The runtime is pinned on purpose (FUNCTION_RUNTIME, Node.js 22 LTS, supported by Lambda): the bundle targets ' +
      'it and the tests run against it; a newer LTS is adopted by changing that constant after the suite passes.',
  });
  return fn;
}
