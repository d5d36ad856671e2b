/**
 * Reading identifiers out of `requestParameters` / `responseElements` by a short path such as
 * `request.defaultActions[].targetGroupArn`, the same text the table in docs/coverage.md shows.
 */
import { fitsBytes, MAX_IDENTIFIER_BYTES } from '../limits';
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

/**
 * The strings a path reaches that can be identifiers: numbers, objects, empty strings and strings longer than
 * {@link MAX_IDENTIFIER_BYTES} (no real name or ARN is; such a value could be no key) are not.
 */
export function stringsAt(record: CloudTrailRecord, path: string): string[] {
  return valuesAt(record, path).filter(isIdentifier);
}

/** The objects a path reaches (the scope of an extractor that reads several sibling members). */
export function objectsAt(record: CloudTrailRecord, path: string): JsonObject[] {
  return valuesAt(record, path).filter(isJsonObject);
}

/** A member of an object that can be an identifier (see {@link isIdentifier}), or undefined. */
export function stringMember(object: JsonObject, member: string): string | undefined {
  const value = object[member];
  return isIdentifier(value) ? value : undefined;
}

/**
 * Whether a value can be an identifier: a non-empty string of at most {@link MAX_IDENTIFIER_BYTES}. The bound keeps
 * each resource, and so each item naming it, small, and the patterns that read ARNs linear.
 */
export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && fitsBytes(value, MAX_IDENTIFIER_BYTES);
}

