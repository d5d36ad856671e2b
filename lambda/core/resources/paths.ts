/**
 * Reading identifiers out of `requestParameters` / `responseElements` by a short path such as
 * `request.defaultActions[].targetGroupArn`, the same text the table in docs/coverage.md shows.
 */
import type { CloudTrailRecord, JsonObject } from '../types';
import { walkPath } from './compiled-path';

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The values a path reaches: `request` or `response` first, then member names separated by dots.
 *
 * `[]` after a member marks a list, for the reader; resolution is lenient either way (CloudTrail writes lists as
 * JSON arrays, but a member that holds one object or one list is walked the same), so a path never throws on
 * unexpected input: it reaches nothing instead.
 */
export function valuesAt(record: CloudTrailRecord, path: string): unknown[] {
  return walkPath(record, path);
}

/** The non-empty strings a path reaches (numbers, objects and empty strings are not identifiers). */
export function stringsAt(record: CloudTrailRecord, path: string): string[] {
  return valuesAt(record, path).filter((value): value is string => typeof value === 'string' && value !== '');
}

/** The objects a path reaches (the scope of an extractor that reads several sibling members). */
export function objectsAt(record: CloudTrailRecord, path: string): JsonObject[] {
  return valuesAt(record, path).filter(isJsonObject);
}

/** A member of an object as a non-empty string, or undefined. */
export function stringMember(object: JsonObject, member: string): string | undefined {
  const value = object[member];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

