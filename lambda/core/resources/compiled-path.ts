/**
 * The fast half of `paths.ts`: a resource path (`request.defaultActions[].targetGroupArn`) parsed once into its
 * member names, and walked without the intermediate arrays a generic split-and-flatMap walk allocates. Resource
 * extraction resolves a dozen paths per kept record, so this walk is on the pipeline's hot path.
 */
import type { CloudTrailRecord } from '../types';

/** A path parsed once: which part of the record it starts from, and the member names after it (`[]` removed). */
interface CompiledPath {
  readonly root: 'requestParameters' | 'responseElements';
  readonly members: readonly string[];
}

/**
 * Compiled paths by their text. The paths are the resource tables' own (a few hundred constants), so the cache is
 * bounded by the code; the cap only guards against a caller passing paths built from data.
 */
const compiled = new Map<string, CompiledPath>();
const MAX_CACHED_PATHS = 4096;

function compile(path: string): CompiledPath {
  const cached = compiled.get(path);
  if (cached !== undefined) return cached;
  const [first, ...rest] = path.split('.');
  let root: CompiledPath['root'];
  if (first === 'request') root = 'requestParameters';
  else if (first === 'response') root = 'responseElements';
  else throw new Error(`resource path "${path}" must start with "request" or "response"`);
  const result: CompiledPath = { root, members: rest.map((m) => (m.endsWith('[]') ? m.slice(0, -2) : m)) };
  if (compiled.size < MAX_CACHED_PATHS) compiled.set(path, result);
  return result;
}

/**
 * The values a path reaches, exactly as the generic walk defines them: at each step a list is walked one level
 * (its items, not lists within it), an object's own member is taken, anything else reaches nothing; the values
 * reached last are flattened one level too.
 */
export function walkPath(record: CloudTrailRecord, path: string): unknown[] {
  const { root, members } = compile(path);
  // Straight down while each value is one object (the common case): nothing to gather, so no list per step. The
  // first list met hands over to the general walk below, from that step.
  let reached: unknown = record[root];
  let step = 0;
  for (; step < members.length && !Array.isArray(reached); step++) {
    const member = members[step] ?? '';
    if (typeof reached !== 'object' || reached === null || !Object.hasOwn(reached, member)) return [];
    reached = (reached as Record<string, unknown>)[member];
  }
  if (step === members.length) return Array.isArray(reached) ? Array.from(reached as unknown[]) : [reached];
  let current: unknown[] = [reached];
  for (; step < members.length; step++) {
    const member = members[step] ?? '';
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) pushMember(item, member, next);
      } else {
        pushMember(value, member, next);
      }
    }
    if (next.length === 0) return next;
    current = next;
  }
  const out: unknown[] = [];
  for (const value of current) {
    if (Array.isArray(value)) for (const item of value as unknown[]) out.push(item);
    else out.push(value);
  }
  return out;
}

function pushMember(value: unknown, member: string, into: unknown[]): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, member)) {
    into.push((value as Record<string, unknown>)[member]);
  }
}
