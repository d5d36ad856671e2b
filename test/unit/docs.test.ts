/**
 * The documentation cannot rot silently: the README stays a front page (≤ 20 KB, the rest in docs/), and every
 * relative link and `#anchor` in the project's Markdown resolves to a file and heading that exist.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { brokenLinks, githubSlug, linkTargets } from '../helpers/markdown-links';

const ROOT = path.resolve(__dirname, '..', '..');
const README_MAX_BYTES = 20 * 1024;

/** The Markdown the project publishes: README, CONTRIBUTING, the examples' README and every page of docs/. */
function projectMarkdown(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(ROOT, 'docs', name));
  const pages = ['README.md', 'CONTRIBUTING.md', path.join('examples', 'README.md')];
  return [...pages.map((page) => path.join(ROOT, page)), ...docs];
}

describe('the project documentation', () => {
  it('keeps the README within 20 KB', () => {
    const size = statSync(path.join(ROOT, 'README.md')).size;

    expect(size).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it('has no relative link or anchor that does not resolve', () => {
    const broken = brokenLinks(ROOT, projectMarkdown());

    expect(broken).toEqual([]);
  });
});

describe('githubSlug', () => {
  it.each([
    ['When a log file fails: the dead-letter queue', 'when-a-log-file-fails-the-dead-letter-queue'],
    ['The trail-audit command line', 'the-trail-audit-command-line'],
    ['Coverage: operation → resources', 'coverage-operation--resources'],
    ["The function's environment", 'the-functions-environment'],
    ['Add, disable, re-grade and suppress rules', 'add-disable-re-grade-and-suppress-rules'],
    ['snake_case and Ünïcode 2', 'snake_case-and-ünïcode-2'],
  ])('turns "%s" into "%s"', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});

describe('linkTargets', () => {
  it('finds inline links, images and references, but nothing in code', () => {
    const markdown = [
      'See [a](a.md#x) and ![b](img/b.png "title").',
      '`[not](code-span.md)`',
      '```sh',
      '[not](fenced.md)',
      '```',
      '[ref]: ref.md',
      '[wrapped',
      'text](wrapped.md)',
    ].join('\n');

    expect(linkTargets(markdown)).toEqual([
      { target: 'a.md#x', line: 1 },
      { target: 'img/b.png', line: 1 },
      { target: 'ref.md', line: 6 },
      { target: 'wrapped.md', line: 7 },
    ]);
  });
});

describe('brokenLinks', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'docs-links-'));
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(
      path.join(root, 'docs', 'page.md'),
      '# Page\n\n## The `trail-audit` command line\n\n## Notes\n\n## Notes\n\n```\n## Not a heading\n```\n',
    );
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** The broken links of a README holding `body`, as `target: reason`. */
  function check(body: string): string[] {
    writeFileSync(path.join(root, 'README.md'), body);
    return brokenLinks(root, [path.join(root, 'README.md')]).map(({ target, reason }) => `${target}: ${reason}`);
  }

  it('accepts existing files, folders and headings, duplicates numbered, and external links', () => {
    const broken = check(
      '# Top\n[a](docs/page.md) [b](docs/) [c](docs/page.md#the-trail-audit-command-line) ' +
        '[d](docs/page.md#notes-1) [e](#top) [f](https://example.com/x.md#nowhere) [g](mailto:a@example.com)\n',
    );

    expect(broken).toEqual([]);
  });

  it('reports a link to a file that does not exist', () => {
    expect(check('[a](docs/missing.md)\n')).toEqual(['docs/missing.md: no such file: docs/missing.md']);
  });

  it('reports an anchor no heading of the target page has', () => {
    expect(check('[a](docs/page.md#not-a-heading) [b](#nowhere)\n')).toEqual([
      'docs/page.md#not-a-heading: no heading #not-a-heading in docs/page.md',
      '#nowhere: no heading #nowhere in README.md',
    ]);
  });

  it('reports a link that leaves the repository', () => {
    expect(check('[a](../outside.md)\n')).toEqual(['../outside.md: points outside the repository']);
  });
});
