/**
 * The part of asl-validator's API the tests use (the package ships no type declarations).
 */
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errorsText(separator?: string): string;
  }

  function validator(definition: Record<string, unknown>): ValidationResult;

  export = validator;
}
