/**
 * What is logged of an error: identifiers and positions, never record content.
 */

/**
 * What is logged of an error: its name, message and position, and the same of its cause. The message of a JSON
 * syntax error, or of an error caused by one, is withheld: V8 quotes the text it choked on ("Unexpected token 's',
 * "{"a": secret..." is not valid JSON"), which would put record content in the log. Name, byte offset and
 * records read still locate the problem.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!isErrorLike(error)) return { errorName: typeof error };
  const fields: Record<string, unknown> = { errorName: error.name };
  const cause = isErrorLike(error.cause) ? error.cause : undefined;
  const quotesContent = error.name === 'SyntaxError' || cause?.name === 'SyntaxError';
  fields.errorMessage = quotesContent ? '(withheld: a JSON parser message may quote record content)' : error.message;
  for (const name of ['objectKey', 'byteOffset', 'recordsRead', 'details', 'code'] as const) {
    const value = (error as unknown as Record<string, unknown>)[name];
    if (value !== undefined) fields[name] = value;
  }
  if (cause !== undefined) {
    fields.causeName = cause.name;
    if (!quotesContent) fields.causeMessage = cause.message;
  }
  return fields;
}

/**
 * Whether a value is an error, by shape: errors made by Node's own modules can come from another realm (a VM
 * context, as under jest), where `instanceof Error` is false.
 */
function isErrorLike(value: unknown): value is { name: string; message: string; cause?: unknown } {
  return isObject(value) && typeof value.name === 'string' && typeof value.message === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
