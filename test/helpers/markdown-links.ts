/**
 * Checks the relative links of Markdown files the way GitHub renders them: a link must name a file or folder that
 * exists in the repository, and a `#fragment` must name a heading (or an explicit `id`/`name`) of the target page.
 * Links in fenced code blocks and code spans are not links; links with a scheme (`https:`, `mailto:`) are not checked.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A link that does not resolve: where it is, what it says, and why it fails. */
export interface BrokenLink {
  /** The Markdown file and line, relative to the repository root (`docs/cli.md:12`). */
  readonly where: string;
  readonly target: string;
  readonly reason: string;
}

/** Blanks fenced code blocks (``` or ~~~), keeping every line break so positions still map to lines. */
function withoutFencedCode(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined) {
        if (opener === undefined) return line;
        fence = opener;
        return '';
      }
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) {
        fence = undefined;
      }
      return '';
    })
    .join('\n');
}

/** Blanks code spans (`` `x` ``, ``` ``x`` ```) with spaces of the same length. */
function withoutCodeSpans(text: string): string {
  return text.replace(/``[^`]*(?:`[^`]+)*``|`[^`\n]*`/g, (span) => ' '.repeat(span.length));
}

/**
 * GitHub's anchor for a heading's text (the rule of `github-slugger`): lower-cased, every character that is not a
 * letter, mark, digit, connector (`_`), hyphen or space removed, then each space turned into a hyphen (two spaces
 * left by a removed `→` become `--`).
 */
export function githubSlug(headingText: string): string {
  return headingText
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The text a heading renders to: code spans keep their content, links their text, HTML tags nothing. */
function renderedHeadingText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .trim();
}

/** Every anchor a page offers: one per heading (duplicates get `-1`, `-2`, ...), plus explicit `id`/`name`. */
export function pageAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(renderedHeadingText(heading));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of markdown.matchAll(/<[^>]*\b(?:id|name)="([^"]+)"/g)) {
    if (match[1] !== undefined) anchors.add(match[1]);
  }
  return anchors;
}

/** The link destinations of a page with their line numbers: inline links, images, references, `href`/`src`. */
export function linkTargets(markdown: string): { readonly target: string; readonly line: number }[] {
  const text = withoutCodeSpans(withoutFencedCode(markdown));
  const patterns = [
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g,
    /^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?/gm,
    /<[^>]*\b(?:href|src)="([^"]*)"/g,
  ];
  const found: { target: string; line: number; index: number }[] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const index = match.index ?? 0;
      found.push({ target: match[1] ?? '', line: text.slice(0, index).split('\n').length, index });
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ target, line }) => ({ target, line }));
}

/** Why `target`, written in `file`, does not resolve inside `root`; undefined when it does or is not relative. */
function whyBroken(root: string, file: string, target: string): string | undefined {
  if (target === '') return 'empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const fragment = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved =
    pathPart === ''
      ? file
      : pathPart.startsWith('/')
        ? path.join(root, pathPart)
        : path.resolve(path.dirname(file), pathPart);
  const relative = path.relative(root, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return 'points outside the repository';
  if (!existsSync(resolved)) return `no such file: ${relative}`;
  if (fragment === undefined || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  if (!pageAnchors(readFileSync(resolved, 'utf8')).has(fragment)) return `no heading #${fragment} in ${relative}`;
  return undefined;
}

/** Every relative link of `files` (absolute paths under `root`) that does not resolve. */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  return files.flatMap((file) =>
    linkTargets(readFileSync(file, 'utf8')).flatMap(({ target, line }) => {
      const reason = whyBroken(root, file, target);
      return reason === undefined ? [] : [{ where: `${path.relative(root, file)}:${line}`, target, reason }];
    }),
  );
}
