#!/usr/bin/env node
/**
 * The CDK app: one `TrailAudit` stack, configured from CDK context (see `lib/config.ts` and the README), checked by
 * cdk-nag's AwsSolutions pack — an unacknowledged finding fails `cdk synth`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackPropsFromContext } from '../lib/config';
import { PACKAGE_ROOT } from '../lambda/package-root';
import { TrailAuditStack } from '../lib/trail-audit-stack';

const app = new App();
new TrailAuditStack(app, 'TrailAudit', {
  description: 'trail-audit: CloudTrail audit of Elastic Load Balancing, Elastic Beanstalk and EC2 Auto Scaling',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...stackPropsFromContext(app.node, PACKAGE_ROOT),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
