/**
 * The record loop's WebAssembly binary, kept in the repository (`record-scan-wasm.ts`), is the compiled
 * `record-scan.wat`: changing the text without running `npm run build:wasm` fails here.
 */
import { RECORD_SCAN_WASM } from '../../../lambda/core/record-scan-wasm';
import { compileRecordScan } from '../../../scripts/build-wasm';

describe('record-scan-wasm.ts', () => {
  it('holds the binary record-scan.wat compiles to', async () => {
    // Act
    const compiled = await compileRecordScan();

    // Assess
    expect(RECORD_SCAN_WASM).toBe(compiled);
  });
});
