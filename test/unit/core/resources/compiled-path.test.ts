/**
 * The resource path walk that extraction runs for every kept record: the same values as the generic definition
 * (one level of lists walked at each step, own members only), whatever paths were resolved before.
 */
import { walkPath } from '../../../../lambda/core/resources/compiled-path';
import { cloudTrailRecord } from './resource-fixtures';

describe('walkPath', () => {
  it('walks one level of lists at each step and at the end, not lists within lists', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'CreateRule',
      requestParameters: {
        actions: [{ targetGroupArn: 'a' }, [{ targetGroupArn: 'nested' }], { targetGroupArn: ['b', ['c']] }],
      },
    });

    expect(walkPath(record, 'request.actions[].targetGroupArn')).toEqual(['a', 'b', ['c']]);
  });

  it('reaches nothing through a missing member, a scalar or a null response', () => {
    const record = cloudTrailRecord('elbv2', {
      eventName: 'CreateRule',
      requestParameters: { actions: 'not-an-object', conditions: [null, 1] },
      responseElements: null,
    });

    expect([
      walkPath(record, 'request.actions.targetGroupArn'),
      walkPath(record, 'request.conditions[].field'),
      walkPath(record, 'request.missing[].x'),
      walkPath(record, 'response.rules[].ruleArn'),
    ]).toEqual([[], [], [], []]);
  });

  it('reads only own members, not inherited ones', () => {
    const record = cloudTrailRecord('elb', { eventName: 'AddTags', requestParameters: {} });

    expect(walkPath(record, 'request.toString')).toEqual([]);
  });

  it('gives each path its own members when paths share a prefix', () => {
    const record = cloudTrailRecord('elb', {
      eventName: 'AddTags',
      requestParameters: { loadBalancerName: 'one', loadBalancerNames: ['two'] },
    });

    expect([walkPath(record, 'request.loadBalancerName'), walkPath(record, 'request.loadBalancerNames[]')]).toEqual([
      ['one'],
      ['two'],
    ]);
  });
});
