import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_MAIN, functionBundleDir, type FunctionBundleName } from '../function-bundles';
import { createEncryptedLogGroup } from './kms-defaults';

/**
 * The runtime of every trail-audit function, set explicitly (never left to a CDK default that moves with upgrades).
 *
 * Node.js 22 is the LTS the code is built for; moving to a newer LTS is this one line plus `BUNDLE_TARGET`
 * (lib/function-bundles.ts), after the tests pass on it.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Props of {@link createNodejsFunction}: what differs between functions; everything else is a house default. */
export interface NodejsFunctionDefaultsProps {
  /** The function's pre-built bundle (`dist/functions/NAME/`, see lib/function-bundles.ts). */
  readonly bundle: FunctionBundleName;
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
   * Files deployed beside the bundle: their name in the function's folder → their path at synth (a data file). They
   * are part of the asset's hash, so a changed file is a new deployment.
   * @default none
   */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/**
 * Creates a Node.js function with the house defaults: explicit runtime on arm64, the pre-built esbuild bundle
 * (minified, with source maps that Node applies to stack traces), an explicit log group with retention (optionally
 * encrypted with a customer-managed key), and a role that may write only to that log group.
 *
 * Why a factory rather than a subclass: the defaults are data, not behaviour, and every caller gets a plain
 * `lambda.Function` to `grant*` on. The role is built here instead of letting Lambda attach the
 * `AWSLambdaBasicExecutionRole` managed policy, whose `logs:*` actions apply to every log group in the account.
 */
export function createNodejsFunction(
  scope: Construct,
  id: string,
  props: NodejsFunctionDefaultsProps,
): lambda.Function {
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

  const fn = new lambda.Function(scope, id, {
    code: bundleCode(props.bundle, props.extraFiles ?? {}),
    handler: `${BUNDLE_MAIN}.${props.handler ?? 'handler'}`,
    description: props.description,
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
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The runtime is pinned on purpose (FUNCTION_RUNTIME, Node.js 22 LTS, supported by Lambda): the bundle targets ' +
      'it and the tests run against it; a newer LTS is adopted by changing that constant after the suite passes.',
  });
  return fn;
}

/**
 * A function's code: its pre-built bundle folder plus `extraFiles`, put together by CDK's local bundling, which here
 * only copies files (no esbuild, no Docker). The asset is hashed on that output, so an extra file's content is in
 * the hash.
 */
function bundleCode(bundle: FunctionBundleName, extraFiles: Readonly<Record<string, string>>): lambda.Code {
  const folder = functionBundleDir(bundle);
  if (!fs.existsSync(path.join(folder, `${BUNDLE_MAIN}.js`))) {
    throw new Error(`trail-audit: the ${bundle} function's bundle is missing from ${folder}: run 'npm run build'`);
  }
  return lambda.Code.fromAsset(folder, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled: the local bundling below always succeeds.
      image: DockerImage.fromRegistry('trail-audit-bundles-locally'),
      local: {
        tryBundle(outputDir: string): boolean {
          fs.cpSync(folder, outputDir, { recursive: true });
          for (const [name, source] of Object.entries(extraFiles)) fs.copyFileSync(source, path.join(outputDir, name));
          return true;
        },
      },
    },
  });
}
