/**
 * The layers of `lambda/` (ARCHITECTURE.md): the lint rule that keeps them (`eslint-rules/layers.mjs`) catches what
 * it should, and the import graph of the runtime code and the infrastructure has no cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

// The rule is plain CommonJS, as eslint.config.mjs loads it.
const layers = createRequire(__filename)('../../../eslint-rules/layers.cjs') as { rules: { boundaries: Rule.RuleModule } };

const ROOT = path.resolve(__dirname, '..', '..', '..');
const inLambda = (file: string): string => path.join(ROOT, 'lambda', file);

describe('the layer rule', () => {
  // RuleTester declares one jest test per case (through the global describe and it) and asserts each itself.
  const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, sourceType: 'module' } });
  tester.run('boundaries', layers.rules.boundaries, {
    valid: [
      { filename: inLambda('core/select.ts'), code: "import { x } from './record';" },
      { filename: inLambda('app/processor.ts'), code: "import type { EventStore } from './ports';\nimport { y } from '../core/pipeline';" },
      { filename: inLambda('store/file-ledger.ts'), code: "import type { FileLedger } from '../app/ports';\nimport { GetCommand } from '@aws-sdk/lib-dynamodb';" },
      { filename: inLambda('handler.ts'), code: "import { DynamoDBFileLedger } from './store/file-ledger';" },
      { filename: inLambda('backfill-handler.ts'), code: "import { S3FolderLister } from './adapters/s3-folder-lister';" },
      { filename: inLambda('cli/commands/ingest.ts'), code: "import { main } from '../main';" },
      { filename: inLambda('custom-resources/bucket-eventbridge.ts'), code: "import { logger } from '../observability';" },
      { filename: inLambda('seeder-handler.ts'), code: "import { configFromEnv } from './handler';" },
    ],
    invalid: [
      { filename: inLambda('core/select.ts'), code: "import { S3Client } from '@aws-sdk/client-s3';", errors: [{ messageId: 'package' }] },
      { filename: inLambda('core/select.ts'), code: "import { x } from '../store/file-ledger';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('core/select.ts'), code: "import { x } from '../app/ports';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('app/processor.ts'), code: "import type { DynamoDBFileLedger } from '../store/file-ledger';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('app/processor.ts'), code: "import { Logger } from '@aws-lambda-powertools/logger';", errors: [{ messageId: 'package' }] },
      { filename: inLambda('alerts/from-env.ts'), code: "import type { HandlerLogger } from '../handler';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('store/file-ledger.ts'), code: "import { handler } from '../seeder-handler';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('function-config.ts'), code: "import { handler } from './backfill-handler';", errors: [{ messageId: 'layer' }] },
      { filename: inLambda('store/file-ledger.ts'), code: "export { x } from '../cli/errors';", errors: [{ messageId: 'layer' }] },
    ],
  });
});

/** Every `.ts` file under a folder. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The project files a file imports (relative imports, type-only ones included), resolved to `.ts` paths. */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\(|^import)\s*['"](\.[^'"]+)['"]/gm)].map((match) => match[1] ?? '');
  return specifiers
    .map((specifier) => path.resolve(path.dirname(file), specifier))
    .flatMap((base) => [`${base}.ts`, path.join(base, 'index.ts')].filter((candidate) => known.has(candidate)).slice(0, 1));
}

/** The cycles of a graph (strongly connected components with more than one node, or a self-import). */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indexes.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, lowlinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, indexes.get(next) ?? 0));
      }
    }
    if (lowlinks.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
    }
  };
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node);
  return cycles;
}

describe('the import graph', () => {
  it('finds a cycle where there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cyclesOf(graph).map((cycle) => [...cycle].sort())).toEqual([['a', 'b', 'c']]);
  });

  it('has no cycle in lambda/, lib/ and bin/', () => {
    // Prepare
    const files = ['lambda', 'lib', 'bin'].flatMap((folder) => sourceFiles(path.join(ROOT, folder)));
    const known = new Set(files);

    // Act
    const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

    // Assess
    expect([...graph.values()].flat().length).toBeGreaterThan(200);
    expect(cyclesOf(graph).map((cycle) => cycle.map((file) => path.relative(ROOT, file)))).toEqual([]);
  });
});
