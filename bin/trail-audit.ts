#!/usr/bin/env node
/**
 * The CDK app: one `TrailAudit` stack, configured from CDK context (see `lib/config.ts` and docs/configuration.md), checked by
 * cdk-nag's AwsSolutions pack — an unacknowledged finding fails `cdk synth`. Synth says where the stack deploys.
 */
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentNotice, stackPropsFromContext } from '../lib/config';
import { PACKAGE_ROOT } from '../lambda/package-root';
import { TrailAuditStack } from '../lib/trail-audit-stack';

const app = new App();
const stack = new TrailAuditStack(app, 'TrailAudit', {
  description: 'trail-audit: CloudTrail audit of Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...stackPropsFromContext(app.node, PACKAGE_ROOT),
});
Annotations.of(stack).addInfo(deploymentNotice(process.env));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
