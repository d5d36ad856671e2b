/**
 * The resource path walk that extraction runs for every kept record: the same values as the generic definition
 * (one level of lists walked at each step, own members only), whatever paths were resolved before.
 */
import { walkPath } from '../../../../lambda/core/resources/compiled-path';
import type { JsonObject } from '../../../../lambda/core/types';
import { seededRandom } from '../../../helpers/chunkings';
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

  it('reaches what the generic definition reaches, on random values and paths', () => {
    // prepare: requests of objects, lists (of lists too), strings and nulls a few levels deep; every path of up to three
    // members a, b (with or without []) after the request; the definition as a split-and-flatMap walk
    const random = seededRandom(61206);
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.2) return roll < 0.05 ? null : `v${Math.floor(random() * 100)}`;
      if (roll < 0.45) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (const member of ['a', 'b']) if (random() < 0.7) object[member] = value(depth + 1);
      return object;
    };
    const paths = ['request'];
    for (let level = ['request'], depth = 0; depth < 3; depth++) {
      level = level.flatMap((path) => ['a', 'a[]', 'b', 'b[]'].map((member) => `${path}.${member}`));
      paths.push(...level);
    }
    const generic = (request: unknown, path: string): unknown[] =>
      path
        .split('.')
        .slice(1)
        .map((member) => member.replace('[]', ''))
        .reduce<unknown[]>(
          (values, member) =>
            values
              .flatMap((reached) => (Array.isArray(reached) ? (reached as unknown[]) : [reached]))
              .flatMap((reached) =>
                typeof reached === 'object' && reached !== null && !Array.isArray(reached) && Object.hasOwn(reached, member)
                  ? [(reached as JsonObject)[member]]
                  : [],
              ),
          [request],
        )
        .flatMap((reached) => (Array.isArray(reached) ? (reached as unknown[]) : [reached]));
    const requests = Array.from({ length: 300 }, () => value(0));

    // act
    const differing = requests.flatMap((request) => {
      const record = cloudTrailRecord('elbv2', { eventName: 'CreateRule', requestParameters: request as JsonObject });
      return paths.filter((path) => JSON.stringify(walkPath(record, path)) !== JSON.stringify(generic(request, path)));
    });

    // assess: also that the paths reached values, through lists and without them
    const reached = requests.flatMap((request) => paths.map((path) => generic(request, path).length));
    expect({ paths: paths.length, differing, reachedSome: reached.filter((count) => count > 0).length > 1_000 }).toEqual({
      paths: 85,
      differing: [],
      reachedSome: true,
    });
  });
});
