import { compileCondition, getPath } from '../../../../lambda/core/rules/match';
import type { Condition } from '../../../../lambda/core/rules/types';

const holds = (condition: Condition, root: unknown): boolean => compileCondition(condition)(root);

describe('getPath', () => {
  it('reads nested properties and array indexes', () => {
    const root = { requestParameters: { listeners: [{ protocol: 'HTTP' }] } };

    expect(getPath(root, 'requestParameters.listeners.0.protocol')).toBe('HTTP');
  });

  it('gives undefined for a missing step instead of throwing', () => {
    expect(getPath({ requestParameters: null }, 'requestParameters.listeners.0')).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(getPath({}, 'constructor')).toBeUndefined();
  });
});

describe('compileCondition', () => {
  it.each([
    ['a string equal to a boolean\'s text', { path: 'v', equals: false }, { v: 'false' }, true],
    ['a boolean equal to a string', { path: 'v', equals: 'true' }, { v: true }, true],
    ['a number equal to a numeric string', { path: 'v', equals: 0 }, { v: '0' }, true],
    ['different values', { path: 'v', equals: 'HTTP' }, { v: 'HTTPS' }, false],
    ['case ignored when asked', { path: 'v', equals: 'HTTP', ignoreCase: true }, { v: 'http' }, true],
    ['case kept otherwise', { path: 'v', equals: 'HTTP' }, { v: 'http' }, false],
    ['null equals only null', { path: 'v', equals: null }, { v: 'null' }, false],
  ] as const)('equals: %s', (_name, condition, root, expected) => {
    expect(holds(condition, root)).toBe(expected);
  });

  it.each([
    ['in', { path: 'v', in: ['a', 'b'] }, { v: 'b' }, true],
    ['prefix', { path: 'v', prefix: 'AccessDenied' }, { v: 'AccessDeniedException' }, true],
    ['suffix', { path: 'v', suffix: 'UnauthorizedOperation' }, { v: 'Client.UnauthorizedOperation' }, true],
    ['contains', { path: 'v', contains: '/prod-' }, { v: 'arn:...:loadbalancer/app/prod-web/1' }, true],
    ['regex', { path: 'v', regex: '^ELBSecurityPolicy-TLS13-1-[01]-' }, { v: 'ELBSecurityPolicy-TLS13-1-1-2021-06' }, true],
    ['regex on a non-string', { path: 'v', regex: '1' }, { v: 1 }, false],
    ['exists true', { path: 'v', exists: true }, { v: '' }, true],
    ['exists false on null', { path: 'v', exists: false }, { v: null }, true],
    ['gt on a numeric string', { path: 'v', gt: 5 }, { v: '6' }, true],
    ['lte', { path: 'v', lte: 0 }, { v: 0 }, true],
    ['lt on a non-number', { path: 'v', lt: 5 }, { v: 'four' }, false],
  ] as const)('%s', (_name, condition, root, expected) => {
    expect(holds(condition, root)).toBe(expected);
  });

  it('applies some to array elements with paths relative to the element', () => {
    const condition: Condition = { path: 'attributes', some: { all: [{ path: 'key', equals: 'k' }, { path: 'value', equals: false }] } };

    expect(holds(condition, { attributes: [{ key: 'x', value: 'false' }, { key: 'k', value: 'false' }] })).toBe(true);
  });

  it('does not let some match across two elements', () => {
    const condition: Condition = { path: 'attributes', some: { all: [{ path: 'key', equals: 'k' }, { path: 'value', equals: false }] } };

    expect(holds(condition, { attributes: [{ key: 'k', value: 'true' }, { key: 'x', value: 'false' }] })).toBe(false);
  });

  it('requires at least one element for every', () => {
    expect(holds({ path: 'list', every: { path: 'protocol', equals: 'HTTPS' } }, { list: [] })).toBe(false);
  });

  it('combines with any and not', () => {
    const condition: Condition = { any: [{ path: 'a', equals: 1 }, { not: { path: 'b', exists: true } }] };

    expect(holds(condition, { a: 2 })).toBe(true);
  });
});
