import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TrailAuditStack, type TrailAuditStackProps } from '../../../lib/trail-audit-stack';

/** The repository root. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A test fixture of the infrastructure tests, by file name. */
export function fixturePath(name: string): string {
  return path.join(__dirname, 'fixtures', name);
}

/** The feature flags of `cdk.json`, so the tests synthesise what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** One synthesised variant of the stack. */
export interface SynthesisedStack {
  readonly app: App;
  readonly stack: TrailAuditStack;
  readonly template: Template;
  /** The cloud assembly directory (removed by {@link SynthesisedStack.cleanup}). */
  readonly outdir: string;
  /** Removes the cloud assembly directory. */
  cleanup(): void;
}

/**
 * Synthesises the stack with the given props. The function's asset (the pre-built bundle copied with its extra files)
 * is put together only when `bundle` is set: one test file checks it, and the variants skip the copy (CDK then
 * stages the bundle folder as it is).
 */
export function synthesise(props: TrailAuditStackProps, options: { bundle?: boolean } = {}): SynthesisedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trail-audit-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new TrailAuditStack(app, 'TrailAudit', props);
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir, cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}

/** The single resource of a type whose logical ID starts with `prefix`, or a failed expectation. */
export function resourceOf(
  template: Template,
  type: string,
  prefix: string,
): { logicalId: string; properties: Record<string, unknown>; metadata?: Record<string, unknown> } {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) {
    const found = matches.map(([id]) => id).join(', ') || 'none';
    throw new Error(`expected one ${type} with logical ID ${prefix}*, found ${found}`);
  }
  const [logicalId, resource] = matches[0] as [string, CfnResourceJson];
  return {
    logicalId,
    properties: resource.Properties ?? {},
    ...(resource.Metadata === undefined ? {} : { metadata: resource.Metadata }),
  };
}

/** A resource as the template holds it. */
interface CfnResourceJson {
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** Every IAM policy statement of the template's `AWS::IAM::Policy` resources whose logical ID starts with `prefix`. */
export function policyStatements(template: Template, prefix: string): PolicyStatementJson[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, resource]) => {
      const document = (resource as CfnResourceJson).Properties?.PolicyDocument as { Statement: PolicyStatementJson[] };
      return document.Statement;
    });
}

/** An IAM policy statement as CloudFormation holds it. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A statement's actions as a list. */
export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** A statement's resources as a list. */
export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource];
}

/** A queue notification of the template's `Custom::S3BucketNotifications`, filter rules sorted by name. */
export interface QueueNotification {
  readonly Events: string[];
  readonly FilterRules: { Name: string; Value: string }[];
  readonly QueueArn: unknown;
}

/** A queue configuration of an S3 notification configuration. */
interface QueueConfigurationJson {
  readonly Events: string[];
  readonly Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
  readonly QueueArn: unknown;
}

/** The queue notifications the stack configures on its log bucket. */
export function queueNotifications(synth: SynthesisedStack): QueueNotification[] {
  const resource = resourceOf(synth.template, 'Custom::S3BucketNotifications', '');
  const notification = resource.properties.NotificationConfiguration as {
    QueueConfigurations: QueueConfigurationJson[];
  };
  const configurations = notification.QueueConfigurations;
  return configurations.map((configuration) => ({
    Events: configuration.Events,
    FilterRules: [...configuration.Filter.Key.FilterRules].sort((a, b) => a.Name.localeCompare(b.Name)),
    QueueArn: configuration.QueueArn,
  }));
}

/** Asserts a resource of the type with these properties exists (`Template.hasResourceProperties`, named for lint). */
export function expectResourceProperties(template: Template, type: string, properties: unknown): void {
  template.hasResourceProperties(type, properties);
}

/** Asserts a resource of the type matching this whole definition exists (`Template.hasResource`). */
export function expectResource(template: Template, type: string, definition: unknown): void {
  template.hasResource(type, definition);
}

/** Asserts how many resources of the type the template has (`Template.resourceCountIs`). */
export function expectResourceCount(template: Template, type: string, count: number): void {
  template.resourceCountIs(type, count);
}

/** Asserts an output with these properties exists (`Template.hasOutput`). */
export function expectOutput(template: Template, logicalId: string, properties: unknown): void {
  template.hasOutput(logicalId, properties);
}

/** `Fn::GetAtt` of a logical ID's attribute, as the template writes it. */
export function getAtt(logicalId: string, attribute = 'Arn'): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

/** An ARN in this stack's partition, region and account, as CDK's `formatArn` writes it into the template. */
export function regionalArn(service: string, resource: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:${service}:`,
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}
