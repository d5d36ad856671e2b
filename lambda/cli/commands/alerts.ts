/**
 * `trail-audit alerts FILE... [--json] [--rules FILE]`: evaluates the compliance rules on local CloudTrail files,
 * as the Lambda would, and prints the alerts — a table, or one JSON object per line. Nothing is sent or stored:
 * users dry-run rule changes with it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Alert } from '../../core/alerts/alert';
import { alertJsonLine } from '../../core/alerts/format';
import { newCounts, normaliseLogObject } from '../../core/pipeline';
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from '../../core/rules/builtin';
import { RuleEngine } from '../../core/rules/engine';
import { rulesPrefilter } from '../../core/rules/rule-set';
import type { Rule, RulesConfig } from '../../core/rules/types';
import { validateRulesFile } from '../../core/rules/validate';
import { describeError, ExitCode, fileFailureLine, UsageError, type ExitCodeValue } from '../errors';
import { throwIfInterrupted } from '../interrupt';
import { writeLine, type CliIO } from '../io';
import { listLocal } from '../sources';
import { TableWriter, tableWidth, type Column } from '../table';

/** Options of `alerts`. */
export interface AlertsOptions {
  /** Print NDJSON: one alert per line (rule, severity, title, eventID, eventName, principal, resources). */
  readonly json?: boolean;
  /** A rules file: user rules and/or configuration (disabled, severity, suppressions, allowedRegions, ...). */
  readonly rules?: string;
}

const SEVERITY_LABEL: Record<Alert['severity'], string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFO',
};

/** The table of `alerts`: for people; scripts use `--json`. */
export const ALERT_COLUMNS: readonly Column<Alert>[] = [
  { heading: 'SEVERITY', cell: (a) => SEVERITY_LABEL[a.severity] },
  { heading: 'RULE', cell: (a) => a.rule, maxWidth: 42 },
  { heading: 'TIME', cell: (a) => a.eventTime },
  // A burst shows its first event and how many more the window held.
  { heading: 'EVENT', cell: (a) => (a.count !== undefined && a.count > 1 ? `${a.eventName} +${a.count - 1} more` : a.eventName), maxWidth: 40 },
  { heading: 'PRINCIPAL', cell: (a) => a.principal, maxWidth: 64 },
  { heading: 'TARGET', cell: (a) => a.target ?? '', maxWidth: 48 },
  { heading: 'EVENT ID', cell: (a) => a.eventID },
];

/** `1 file`, `2 files`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Oldest first; alerts of the same second keep the order the rules found them in (the sort is stable). */
function byTime(a: Alert, b: Alert): number {
  return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0;
}

/** Reads and validates a rules file; a bad one is a usage error naming each problem. */
async function loadRulesFile(file: string, cwd: string): Promise<{ rules: Rule[]; config: RulesConfig }> {
  const fullPath = path.resolve(cwd, file);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(fullPath, 'utf8')) as unknown;
  } catch (error) {
    throw new UsageError(`--rules ${file}: ${describeError(error)}`);
  }
  const result = validateRulesFile(value, BUILT_IN_RULE_IDS);
  if (!result.ok) throw new UsageError(`--rules ${file}:\n  ${result.errors.join('\n  ')}`);
  return { rules: result.rules, config: result.config };
}

/**
 * Runs `alerts`. Files are read in the order given (folders sorted); every record of every file goes through the
 * rules (not only the three services'); each (rule, eventID) is printed once per run, and burst rules once per
 * principal and window. The alerts are printed at the end, oldest first (a burst at its first event's time), the
 * table fitted to the terminal's width.
 * @returns 0, or 1 when some input failed (each named on stderr; the others were still read)
 */
export async function runAlerts(inputs: readonly string[], options: AlertsOptions, io: CliIO): Promise<ExitCodeValue> {
  const remote = inputs.find((input) => input.startsWith('s3://'));
  if (remote !== undefined) throw new UsageError(`alerts reads local files; '${remote}' is in S3: download it first`);
  const user = options.rules === undefined ? { rules: [], config: {} } : await loadRulesFile(options.rules, io.cwd);
  const rules = [...BUILT_IN_RULES, ...user.rules];
  const engine = new RuleEngine(rules, user.config, { now: io.now });
  const mayMatch = rulesPrefilter(rules, user.config);

  const listing = await listLocal(inputs, io.cwd);
  let failed = listing.failures.length;
  for (const failure of listing.failures) await writeLine(io.stderr, `trail-audit: ${failure.input}: ${failure.reason}`);

  // Alerts are few: they are held and printed at the end in time order, whatever file (or burst window) they came from.
  const found: Alert[] = [];
  let records = 0;
  let invalid = 0;
  for (const object of listing.objects) {
    throwIfInterrupted(io.signal);
    // The pipeline's own record loop, as the Lambda runs it: every record the rules' pre-filter accepts is parsed,
    // validated and handed to the engine; the selected events themselves are not needed here.
    const counts = newCounts();
    try {
      const events = normaliseLogObject(
        (await object.open()).body,
        {
          objectKey: object.objectKey,
          dropReadOnly: false,
          onRecord: (record) => found.push(...engine.onRecord(record)),
          mayMatchRecord: mayMatch,
        },
        counts,
      );
      for await (const kept of events) void kept;
    } catch (error) {
      failed += 1;
      await writeLine(io.stderr, fileFailureLine(object.displayName, error));
    }
    records += counts.recordsRead;
    invalid += counts.skipped['invalid-record'] ?? 0;
  }
  found.push(...engine.flush());
  found.sort(byTime);
  if (options.json === true) {
    for (const alert of found) await writeLine(io.stdout, JSON.stringify(alertJsonLine(alert)));
  } else {
    const table = new TableWriter<Alert>(ALERT_COLUMNS, (line) => writeLine(io.stdout, line), {
      maxWidth: tableWidth(io.stdout),
    });
    for (const alert of found) await table.add(alert);
    await table.end();
  }
  const { alerts, suppressed } = engine.counts;
  await writeLine(
    io.stderr,
    `alerts: ${plural(alerts, 'alert')} from ${plural(records, 'record')} in ${plural(listing.objects.length, 'file')}` +
      `${suppressed > 0 ? `, ${suppressed} suppressed` : ''}` +
      `${invalid > 0 ? `, ${plural(invalid, 'invalid record')} skipped` : ''}` +
      `${failed > 0 ? `, ${plural(failed, 'input')} failed` : ''}`,
  );
  return failed > 0 ? ExitCode.InputFailed : ExitCode.Ok;
}

/** Registers `alerts` on the program. */
export function registerAlertsCommand(program: Command, io: CliIO, setExitCode: (code: ExitCodeValue) => void): void {
  program
    .command('alerts')
    .summary('evaluate the compliance rules on local CloudTrail files (nothing is sent)')
    .description(
      'Reads CloudTrail log files (.json.gz, .json; folders recursively), evaluates the built-in rules and those ' +
        'of --rules on every record, and prints the alerts: a table, or with --json one alert per line (rule, ' +
        'severity, title, eventID, eventName, principal, resources). Each rule fires once per event per run; ' +
        'burst rules once per principal and window. A bad file is named on stderr and the others are still read.',
    )
    .argument('<file...>', 'log files or folders')
    .option('--json', 'print NDJSON: one alert per line')
    .option('--rules <file>', 'a rules file: user rules and configuration (disabled, severity, suppressions, allowedRegions)')
    .action(async (files: string[], options: AlertsOptions) => {
      setExitCode(await runAlerts(files, options, io));
    });
}
