import { resolvePrincipal } from '../../../lambda/core/principal';
import type { Principal } from '../../../lambda/core/types';
import { loadFixture, record } from '../../helpers/fixtures';
import type { FixtureName } from '../../helpers/fixtures';

describe('resolvePrincipal, one fixture per userIdentity type', () => {
  it.each<[string, FixtureName, Principal]>([
    [
      'IAMUser → the user ARN',
      'identity-iam-user',
      {
        type: 'IAMUser',
        id: 'arn:aws:iam::123456789012:user/division_abc/Alice',
        arn: 'arn:aws:iam::123456789012:user/division_abc/Alice',
        name: 'Alice',
        accountId: '123456789012',
        principalId: 'AIDAJ45Q7YFFAREXAMPLE',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      },
    ],
    [
      'Root → the root ARN',
      'identity-root',
      {
        type: 'Root',
        id: 'arn:aws:iam::123456789012:root',
        arn: 'arn:aws:iam::123456789012:root',
        name: 'root',
        accountId: '123456789012',
        principalId: '123456789012',
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        mfaAuthenticated: true,
      },
    ],
    [
      'AssumedRole → the role ARN of the session issuer, with the session beside it',
      'identity-assumed-role',
      {
        type: 'AssumedRole',
        id: 'arn:aws:iam::123456789012:role/ci/service-role-Deployer',
        arn: 'arn:aws:sts::123456789012:assumed-role/service-role-Deployer/deploy-session',
        name: 'service-role-Deployer',
        accountId: '123456789012',
        principalId: 'AROAIDPPEZS35WEXAMPLE:deploy-session',
        accessKeyId: 'ASIAJEXAMPLEXEG2JICEA',
        sessionArn: 'arn:aws:sts::123456789012:assumed-role/service-role-Deployer/deploy-session',
        sessionName: 'deploy-session',
        sourceIdentity: 'alice@example.com',
        mfaAuthenticated: false,
      },
    ],
    [
      'Role → the role ARN',
      'identity-role',
      {
        type: 'Role',
        id: 'arn:aws:iam::123456789012:role/Auditor',
        arn: 'arn:aws:iam::123456789012:role/Auditor',
        name: 'Auditor',
        accountId: '123456789012',
        principalId: 'AROAJ45Q7YFFAREXAMPLE',
      },
    ],
    [
      'FederatedUser → the federated-user ARN',
      'identity-federated-user',
      {
        type: 'FederatedUser',
        id: 'arn:aws:sts::123456789012:federated-user/bob-federated',
        arn: 'arn:aws:sts::123456789012:federated-user/bob-federated',
        name: 'bob-federated',
        accountId: '123456789012',
        principalId: '123456789012:bob-federated',
        accessKeyId: 'ASIAFEDERATEDEXAMPLE',
        mfaAuthenticated: false,
      },
    ],
    [
      'AWSAccount → the calling account as IAM names it',
      'identity-aws-account',
      {
        type: 'AWSAccount',
        id: 'arn:aws:iam::444455556666:root',
        name: '444455556666',
        accountId: '444455556666',
        principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      },
    ],
    [
      'AWSService → the service principal',
      'identity-aws-service',
      {
        type: 'AWSService',
        id: 'autoscaling.amazonaws.com',
        name: 'autoscaling.amazonaws.com',
        invokedBy: 'autoscaling.amazonaws.com',
      },
    ],
    [
      'IdentityCenterUser → the user id qualified by its identity store',
      'identity-identity-center-user',
      {
        type: 'IdentityCenterUser',
        id: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7/user/544894e8-80c1-707f-60e3-3ba6510dfac1',
        name: '544894e8-80c1-707f-60e3-3ba6510dfac1',
        accountId: '123456789012',
        onBehalfOf:
          'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7/user/544894e8-80c1-707f-60e3-3ba6510dfac1',
      },
    ],
    [
      'SAMLUser → identity provider and user name',
      'identity-saml-user',
      {
        type: 'SAMLUser',
        id: 'bdGOnTesti4+ExamplexL/jEvs=:SamlExample',
        name: 'SamlExample',
        principalId: 'SampleUkh1i4+ExamplexL/jEvs=:SamlExample',
        identityProvider: 'bdGOnTesti4+ExamplexL/jEvs=',
      },
    ],
    [
      'WebIdentityUser → identity provider and user name',
      'identity-web-identity-user',
      {
        type: 'WebIdentityUser',
        id: 'accounts.google.com:user-id',
        name: 'user-id',
        principalId: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id',
        identityProvider: 'accounts.google.com',
      },
    ],
    [
      'Directory → the principalId',
      'identity-directory',
      {
        type: 'Directory',
        id: 'S-1-5-21-1234567890-123456789-1234567890-1104',
        name: 'jdoe',
        accountId: '123456789012',
        principalId: 'S-1-5-21-1234567890-123456789-1234567890-1104',
      },
    ],
    [
      'Unknown → the principalId',
      'identity-unknown',
      {
        type: 'Unknown',
        id: '906fa1b8-7012-4f2c-a1a3-EXAMPLE',
        name: 'bob@example.com',
        accountId: '123456789012',
        principalId: '906fa1b8-7012-4f2c-a1a3-EXAMPLE',
      },
    ],
    ['a missing userIdentity → unknown', 'identity-missing', { type: 'Unknown', id: 'unknown' }],
  ])('%s', (_label, fixture, expected) => {
    // Act
    const principal = resolvePrincipal(loadFixture(fixture));

    // Assess
    expect(principal).toEqual(expected);
  });
});

describe('resolvePrincipal, when fields are missing', () => {
  it('derives an assumed role ARN from the session ARN when the issuer is absent', () => {
    // Prepare
    const call = record({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEROLEID:i-0abc',
        arn: 'arn:aws:sts::123456789012:assumed-role/web-instance/i-0abc',
        accountId: '123456789012',
      },
    });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal).toMatchObject({
      id: 'arn:aws:iam::123456789012:role/web-instance',
      name: 'web-instance',
      sessionName: 'i-0abc',
    });
  });

  it('uses the role unique id when an assumed role carries no ARN at all', () => {
    // Prepare
    const call = record({ userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLEROLEID:session-1' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal).toMatchObject({ id: 'AROAEXAMPLEROLEID', sessionName: 'session-1' });
  });

  it('builds the root ARN in the partition of the region when the ARN is absent', () => {
    // Prepare
    const call = record({ awsRegion: 'cn-north-1', userIdentity: { type: 'Root', accountId: '123456789012' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal.id).toBe('arn:aws-cn:iam::123456789012:root');
  });

  it('builds the root ARN in the European Sovereign Cloud partition for an eusc region', () => {
    // Prepare
    const call = record({ awsRegion: 'eusc-de-east-1', userIdentity: { type: 'Root', accountId: '123456789012' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal.id).toBe('arn:aws-eusc:iam::123456789012:root');
  });

  it('takes the partition from the identity ARN over the region', () => {
    // Prepare
    const call = record({
      awsRegion: 'us-east-1',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws-us-gov:sts::123456789012:assumed-role/ops/s1',
        accountId: '123456789012',
      },
    });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal.id).toBe('arn:aws-us-gov:iam::123456789012:role/ops');
  });

  it('builds an IAM user ARN from account and user name when the ARN is absent', () => {
    // Prepare
    const call = record({ userIdentity: { type: 'IAMUser', accountId: '123456789012', userName: 'carol' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal.id).toBe('arn:aws:iam::123456789012:user/carol');
  });

  it('treats an empty accessKeyId as absent', () => {
    // Prepare
    const call = record({ userIdentity: { ...loadFixture('identity-iam-user').userIdentity, accessKeyId: '' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal).not.toHaveProperty('accessKeyId');
  });

  it('reads no MFA claim from an unfamiliar mfaAuthenticated value', () => {
    // Prepare
    const call = record({
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::123456789012:user/a',
        sessionContext: { attributes: { mfaAuthenticated: 'yes' } },
      },
    });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal).not.toHaveProperty('mfaAuthenticated');
  });

  it('keeps the Identity Center user a role session acts on behalf of', () => {
    // Prepare
    const call = record({
      userIdentity: {
        ...loadFixture('identity-assumed-role').userIdentity,
        onBehalfOf: { userId: 'u-1', identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-1' },
      },
    });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal.onBehalfOf).toBe('arn:aws:identitystore::123456789012:identitystore/d-1/user/u-1');
  });

  it('identifies an untyped service event by invokedBy', () => {
    // Prepare
    const call = record({ userIdentity: { accountId: '123456789012', invokedBy: 'AWS Internal' } });

    // Act
    const principal = resolvePrincipal(call);

    // Assess
    expect(principal).toMatchObject({ type: 'Unknown', id: 'AWS Internal' });
  });
});
