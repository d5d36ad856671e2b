/**
 * AWS Elastic Beanstalk (API 2010-12-01): every operation → where its identifiers sit.
 *
 * Environments are named by ID or by name (with their application, when the call gives it); see
 * {@link environments} for the identity rule. Versions and templates always name their application.
 */
import {
  EB_APPLICATION,
  EB_APPLICATION_VERSION,
  EB_CONFIGURATION_TEMPLATE,
  EB_ENVIRONMENT,
  EB_PLATFORM_VERSION,
} from '../resource-types';
import {
  applications,
  applicationVersions,
  beanstalkArns,
  buckets,
  configurationTemplates,
  customPlatforms,
  DESCRIBED_ENVIRONMENT,
  ENVIRONMENT_BY_ID_OR_NAME,
  ENVIRONMENT_BY_ID_OR_NAME_OF_APPLICATION,
  ENVIRONMENT_BY_NAME,
  ENVIRONMENT_OF_APPLICATION,
  environments,
  platformVersions,
  type OperationTable,
} from '../specs';

const application = applications('request.applicationName');
const environment = environments('request', ENVIRONMENT_BY_ID_OR_NAME);
const environmentByName = environments('request', ENVIRONMENT_BY_NAME);
const environmentOfApplication = environments('request', ENVIRONMENT_OF_APPLICATION);
const anyEnvironment = environments('request', ENVIRONMENT_BY_ID_OR_NAME_OF_APPLICATION);
const respondedEnvironment = environments('response', DESCRIBED_ENVIRONMENT);
const version = applicationVersions('request');
const template = configurationTemplates('request');
const anyResource = beanstalkArns(
  [EB_APPLICATION, EB_APPLICATION_VERSION, EB_CONFIGURATION_TEMPLATE, EB_ENVIRONMENT, EB_PLATFORM_VERSION],
  'request.resourceArn',
  [EB_APPLICATION],
);

/** The Elastic Beanstalk resource table. */
export const ELASTICBEANSTALK_TABLE: OperationTable = {
  AbortEnvironmentUpdate: [environment],
  ApplyEnvironmentManagedAction: [environment],
  AssociateEnvironmentOperationsRole: [environmentByName],
  CheckDNSAvailability: [],
  ComposeEnvironments: [
    application,
    applicationVersions('request', 'versionLabels[]'),
    environments('response.environments[]', DESCRIBED_ENVIRONMENT),
  ],
  CreateApplication: [application, beanstalkArns([EB_APPLICATION], 'response.application.applicationArn')],
  CreateApplicationVersion: [
    version,
    beanstalkArns([EB_APPLICATION_VERSION], 'response.applicationVersion.applicationVersionArn', [EB_APPLICATION]),
  ],
  CreateConfigurationTemplate: [
    template,
    environments('request', { id: 'environmentId', application: 'applicationName' }),
    configurationTemplates('request.sourceConfiguration'),
  ],
  CreateEnvironment: [environmentOfApplication, respondedEnvironment, application, version, template],
  CreatePlatformVersion: [
    customPlatforms('request'),
    platformVersions('response.platformSummary.platformArn'),
    environmentByName,
  ],
  CreateStorageLocation: [buckets('response.s3Bucket')],
  DeleteApplication: [application],
  DeleteApplicationVersion: [version],
  DeleteConfigurationTemplate: [template],
  DeleteEnvironmentConfiguration: [environmentOfApplication, application],
  DeletePlatformVersion: [platformVersions('request.platformArn')],
  DescribeAccountAttributes: [],
  DescribeApplicationVersions: [applicationVersions('request', 'versionLabels[]')],
  DescribeApplications: [applications('request.applicationNames[]')],
  DescribeConfigurationOptions: [application, template, environmentOfApplication],
  DescribeConfigurationSettings: [application, template, environmentOfApplication],
  DescribeEnvironmentHealth: [environment],
  DescribeEnvironmentManagedActionHistory: [environment],
  DescribeEnvironmentManagedActions: [environment],
  DescribeEnvironmentResources: [environment],
  DescribeEnvironments: [
    application,
    version,
    environments('request', { id: 'environmentIds[]', name: 'environmentNames[]', application: 'applicationName' }),
  ],
  DescribeEvents: [application, version, template, anyEnvironment, platformVersions('request.platformArn')],
  DescribeInstancesHealth: [environment],
  DescribePlatformVersion: [platformVersions('request.platformArn')],
  DisassociateEnvironmentOperationsRole: [environmentByName],
  ListAvailableSolutionStacks: [],
  ListPlatformBranches: [],
  ListPlatformVersions: [],
  ListTagsForResource: [anyResource],
  RebuildEnvironment: [environment],
  RequestEnvironmentInfo: [environment],
  RestartAppServer: [environment],
  RetrieveEnvironmentInfo: [environment],
  SwapEnvironmentCNAMEs: [
    environments('request', { id: 'sourceEnvironmentId', name: 'sourceEnvironmentName' }),
    environments('request', { id: 'destinationEnvironmentId', name: 'destinationEnvironmentName' }),
  ],
  TerminateEnvironment: [environment, respondedEnvironment],
  UpdateApplication: [application],
  UpdateApplicationResourceLifecycle: [application],
  UpdateApplicationVersion: [version],
  UpdateConfigurationTemplate: [template],
  UpdateEnvironment: [anyEnvironment, respondedEnvironment, version, template],
  UpdateTagsForResource: [anyResource],
  ValidateConfigurationSettings: [application, template, environmentOfApplication],
};
