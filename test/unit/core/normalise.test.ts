import { normaliseRecord } from '../../../lambda/core/normalise';
import { resolvePrincipal } from '../../../lambda/core/principal';
import { extractResources } from '../../../lambda/core/resources';
import { loadFixture, record } from '../../helpers/fixtures';

describe('normaliseRecord', () => {
  it('builds the contract fields of the classic ELB CreateLoadBalancer documentation example', () => {
    // Prepare
    const create = loadFixture('elb-classic-create-load-balancer');

    // Act
    const { event } = normaliseRecord(create, 'elb');

    // Assess
    expect(event).toMatchObject({
      eventID: '6f4ab5bd-2daa-4d00-be14-d92efEXAMPLE',
      eventTime: '2016-04-01T15:31:48Z',
      service: 'elb',
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventName: 'CreateLoadBalancer',
      awsRegion: 'us-west-2',
      accountId: '123456789012',
      readOnly: false,
      sourceIPAddress: '198.51.100.1',
      principal: { type: 'IAMUser', id: 'arn:aws:iam::123456789012:user/Alice' },
    });
  });

  it('takes principal and resources from their modules', () => {
    // Prepare
    const deletion = loadFixture('elbv2-delete-load-balancer');

    // Act
    const { event, knownOperation } = normaliseRecord(deletion, 'elbv2');

    // Assess
    const extracted = extractResources(deletion, 'elbv2');
    expect({ principal: event.principal, resources: event.resources, knownOperation }).toEqual({
      principal: resolvePrincipal(deletion),
      resources: extracted.resources,
      knownOperation: extracted.knownOperation,
    });
  });

  it('uses the recipient account over the caller account', () => {
    // Prepare
    const crossAccount = loadFixture('identity-aws-account');

    // Act
    const { event } = normaliseRecord(crossAccount, 'elbv2');

    // Assess
    expect(event.accountId).toBe('123456789012');
  });

  it('falls back to the caller account when there is no recipient account', () => {
    // Prepare
    const old = record({ recipientAccountId: undefined });

    // Act
    const { event } = normaliseRecord(old, 'elbv2');

    // Assess
    expect(event.accountId).toBe('123456789012');
  });

  it('writes an empty account when the record names none', () => {
    // Prepare
    const anonymous = record({ recipientAccountId: undefined, userIdentity: undefined });

    // Act
    const { event } = normaliseRecord(anonymous, 'elbv2');

    // Assess
    expect(event.accountId).toBe('');
  });

  it('keeps the errorCode of a failed call', () => {
    // Prepare
    const denied = record({ eventName: 'DeleteLoadBalancer', readOnly: false, errorCode: 'AccessDenied' });

    // Act
    const { event } = normaliseRecord(denied, 'elbv2');

    // Assess
    expect(event.errorCode).toBe('AccessDenied');
  });

  it('writes no errorCode key for a successful call', () => {
    // Act
    const { event } = normaliseRecord(record(), 'elbv2');

    // Assess
    expect(event).not.toHaveProperty('errorCode');
  });

  it('derives readOnly from the eventName when the record has no readOnly field', () => {
    // Prepare
    const describeCall = record({
      readOnly: undefined,
      eventName: 'DescribeEnvironments',
      eventSource: 'elasticbeanstalk.amazonaws.com',
    });

    // Act
    const { event } = normaliseRecord(describeCall, 'elasticbeanstalk');

    // Assess
    expect(event.readOnly).toBe(true);
  });

  it('prints as JSON without undefined-valued keys', () => {
    // Prepare
    const { event } = normaliseRecord(loadFixture('identity-missing'), 'elbv2');

    // Act
    const roundTripped: unknown = JSON.parse(JSON.stringify(event));

    // Assess
    expect(roundTripped).toStrictEqual(event);
  });
});
