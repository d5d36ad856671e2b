/**
 * A fake of AWS Step Functions (and of CloudFormation's DescribeStacks) on 127.0.0.1, for the CLI's backfill tests:
 * no local server runs Distributed Map. It speaks the services' wire protocols — Step Functions' JSON 1.0
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`), CloudFormation's query protocol (form body, XML answer) — so the
 * CLI runs its real SDK clients with their standard configuration, pointed here by `AWS_ENDPOINT_URL_SFN` and
 * `AWS_ENDPOINT_URL_CLOUDFORMATION`.
 *
 * It behaves like the service where the CLI depends on it: an execution runs its map runs one after another (the
 * inline Map of listing units); each `DescribeMapRun` moves a running map run on by a scripted number of items, so
 * counts progress over polls; a map run can end with failed items; the execution then succeeds or fails as
 * scripted; `ListExecutions` and `ListMapRuns` page; and any call can be throttled (`ThrottlingException`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The account and region of every ARN the fake makes. */
const ARN_PREFIX = 'arn:aws:states:us-east-1:123456789012';

/** One map run of a scripted execution. */
export interface ScriptedMapRun {
  /** Items (keys) the run lists. */
  readonly total: number;
  /** Items that end failed. @default 0 */
  readonly failed?: number;
  /** Items finished per `DescribeMapRun` call. */
  readonly perPoll: number;
}

/** What an execution started by `StartExecution` does. */
export interface ScriptedExecution {
  /** The plan step's output, as the execution history shows it. */
  readonly plan: { readonly source: string; readonly units: readonly string[]; readonly results: string; readonly summary: string };
  readonly runs: readonly ScriptedMapRun[];
  /** How it ends once its map runs are done. @default SUCCEEDED */
  readonly end?: { readonly status: 'SUCCEEDED' } | { readonly status: 'FAILED'; readonly error: string; readonly cause: string };
}

/** A request the fake received: the operation and its body (JSON for Step Functions, form fields for CloudFormation). */
export interface FakeRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

interface MapRunState extends ScriptedMapRun {
  readonly arn: string;
  readonly startDate: Date;
  done: number;
  stopDate?: Date;
}

interface ExecutionState {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  readonly startDate: Date;
  readonly script?: ScriptedExecution;
  status: string;
  stopDate?: Date;
  runs: MapRunState[];
}

/** A stack as DescribeStacks lists it. */
export interface FakeStack {
  readonly name: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** The fake: start it, script it, point the SDK at {@link FakeStepFunctions.endpoint}, stop it. */
export class FakeStepFunctions {
  /** Every request, in order. */
  readonly requests: FakeRequest[] = [];
  /** What the next `StartExecution` runs. */
  nextExecution: ScriptedExecution | undefined;
  /** Whether to answer this call with `ThrottlingException` (after counting it in {@link requests}). */
  throttle: (operation: string) => boolean = () => false;
  /** Called with each request's operation as it arrives (a test's hook, e.g. to press Ctrl-C after a few polls). */
  onRequest: (operation: string) => void = () => undefined;
  /** The stacks DescribeStacks lists (one per page). */
  stacks: FakeStack[] = [];
  private readonly executions = new Map<string, ExecutionState>();

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:PORT`. */
    readonly endpoint: string,
    /** The state machine this fake knows. */
    readonly stateMachineArn: string,
  ) {}

  /** Starts the fake on a free port of 127.0.0.1, knowing one state machine. */
  static async start(stateMachineName = 'Backfill'): Promise<FakeStepFunctions> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fake = new FakeStepFunctions(server, `http://127.0.0.1:${port}`, `${ARN_PREFIX}:stateMachine:${stateMachineName}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void fake.handle(request, response);
    });
    return fake;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Forgets every execution and request, and the script, throttling and hooks: a fresh service for the next test. */
  reset(): void {
    this.executions.clear();
    this.requests.length = 0;
    this.nextExecution = undefined;
    this.throttle = () => false;
    this.onRequest = () => undefined;
  }

  /** Adds an execution that is already running (started by someone else), with this input. */
  addRunning(name: string, input: Record<string, unknown>): string {
    const arn = this.executionArn(name);
    this.executions.set(arn, {
      arn,
      name,
      stateMachineArn: this.stateMachineArn,
      input: JSON.stringify(input),
      startDate: new Date(Date.now() - 60_000),
      status: 'RUNNING',
      runs: [],
    });
    return arn;
  }

  /** The status of an execution (RUNNING until its map runs are done). */
  statusOf(executionArn: string): string | undefined {
    return this.executions.get(executionArn)?.status;
  }

  /** The requests of one operation. */
  calls(operation: string): FakeRequest[] {
    return this.requests.filter((request) => request.operation === operation);
  }

  private executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      const operation = target.replace('AWSStepFunctions.', '');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      this.requests.push({ operation, body });
      this.onRequest(operation);
      if (this.throttle(operation)) {
        this.json(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        return;
      }
      try {
        this.json(response, 200, this.stepFunctions(operation, body));
      } catch (error) {
        const { type, message } = error as ServiceError;
        this.json(response, 400, { __type: type, message });
      }
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    const operation = form.Action ?? 'Unknown';
    this.requests.push({ operation, body: form });
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(this.describeStacks(form.NextToken));
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(body));
  }

  private stepFunctions(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'DescribeExecution':
        return this.describeExecution(this.execution(body.executionArn));
      case 'ListExecutions':
        return this.listExecutions(body);
      case 'GetExecutionHistory':
        return this.history(this.execution(body.executionArn));
      case 'ListMapRuns':
        return this.listMapRuns(this.execution(body.executionArn), body);
      case 'DescribeMapRun':
        return this.describeMapRun(body.mapRunArn);
      case 'StopExecution': {
        const execution = this.execution(body.executionArn);
        execution.status = 'ABORTED';
        return { stopDate: seconds(new Date()) };
      }
      default:
        throw new ServiceError('UnknownOperationException', `the fake does not know ${operation}`);
    }
  }

  private startExecution(body: Record<string, unknown>): unknown {
    if (body.stateMachineArn !== this.stateMachineArn) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`);
    }
    const name = typeof body.name === 'string' ? body.name : `run-${this.executions.size}`;
    const arn = this.executionArn(name);
    const startDate = new Date();
    this.executions.set(arn, {
      arn,
      name,
      stateMachineArn: this.stateMachineArn,
      input: typeof body.input === 'string' ? body.input : '{}',
      startDate,
      ...(this.nextExecution === undefined ? {} : { script: this.nextExecution }),
      status: 'RUNNING',
      runs: [],
    });
    this.advance(arn);
    return { executionArn: arn, startDate: seconds(startDate) };
  }

  /** Starts the next map run when the previous one ended, and ends the execution after the last. */
  private advance(executionArn: string): void {
    const execution = this.executions.get(executionArn);
    const script = execution?.script;
    if (execution === undefined || script === undefined || execution.status !== 'RUNNING') return;
    const last = execution.runs[execution.runs.length - 1];
    if (last !== undefined && last.stopDate === undefined) return;
    const next = script.runs[execution.runs.length];
    if (next !== undefined) {
      execution.runs.push({
        ...next,
        arn: `${executionArn.replace(':execution:', ':mapRun:')}/Objects:run-${execution.runs.length}`,
        startDate: new Date(),
        done: 0,
      });
      return;
    }
    const end = script.end ?? { status: 'SUCCEEDED' };
    execution.status = end.status;
    execution.stopDate = new Date();
  }

  private execution(arn: unknown): ExecutionState {
    const execution = typeof arn === 'string' ? this.executions.get(arn) : undefined;
    if (execution === undefined) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  private describeExecution(execution: ExecutionState): unknown {
    const end = execution.script?.end;
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: seconds(execution.startDate),
      ...(execution.stopDate === undefined ? {} : { stopDate: seconds(execution.stopDate) }),
      input: execution.input,
      ...(execution.status === 'FAILED' && end?.status === 'FAILED' ? { error: end.error, cause: end.cause } : {}),
    };
  }

  private listExecutions(body: Record<string, unknown>): unknown {
    const all = [...this.executions.values()].filter(
      (execution) =>
        execution.stateMachineArn === body.stateMachineArn &&
        (body.statusFilter === undefined || execution.status === body.statusFilter),
    );
    const { page, nextToken } = pageOf(all, body.nextToken, 1);
    return {
      executions: page.map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: seconds(execution.startDate),
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private history(execution: ExecutionState): unknown {
    const plan = execution.script?.plan;
    const at = seconds(execution.startDate);
    return {
      events: [
        { id: 1, timestamp: at, type: 'ExecutionStarted', executionStartedEventDetails: { input: execution.input } },
        { id: 2, previousEventId: 1, timestamp: at, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Plan', input: execution.input } },
        ...(plan === undefined
          ? []
          : [
              {
                id: 3,
                previousEventId: 2,
                timestamp: at,
                type: 'TaskStateExited',
                stateExitedEventDetails: { name: 'Plan', output: JSON.stringify(plan) },
              },
            ]),
      ],
    };
  }

  private listMapRuns(execution: ExecutionState, body: Record<string, unknown>): unknown {
    const { page, nextToken } = pageOf(execution.runs, body.nextToken, 1);
    return {
      mapRuns: page.map((run) => ({
        executionArn: execution.arn,
        mapRunArn: run.arn,
        stateMachineArn: `${execution.stateMachineArn}/Objects`,
        startDate: seconds(run.startDate),
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private describeMapRun(mapRunArn: unknown): unknown {
    const execution = [...this.executions.values()].find((candidate) =>
      candidate.runs.some((run) => run.arn === mapRunArn),
    );
    const run = execution?.runs.find((candidate) => candidate.arn === mapRunArn);
    if (execution === undefined || run === undefined) {
      throw new ServiceError('ResourceNotFound', `Map Run Does Not Exist: '${String(mapRunArn)}'`);
    }
    if (run.stopDate === undefined) {
      run.done = Math.min(run.total, run.done + run.perPoll);
      if (run.done === run.total) {
        run.stopDate = new Date();
        this.advance(execution.arn);
      }
    }
    const failed = Math.min(run.failed ?? 0, run.done);
    return {
      mapRunArn: run.arn,
      executionArn: execution.arn,
      status: run.stopDate === undefined ? 'RUNNING' : 'SUCCEEDED',
      startDate: seconds(run.startDate),
      ...(run.stopDate === undefined ? {} : { stopDate: seconds(run.stopDate) }),
      maxConcurrency: 12,
      toleratedFailurePercentage: 10,
      toleratedFailureCount: 0,
      itemCounts: {
        pending: run.total - run.done,
        running: 0,
        succeeded: run.done - failed,
        failed,
        timedOut: 0,
        aborted: 0,
        total: run.total,
        resultsWritten: run.stopDate === undefined ? 0 : run.total,
      },
      executionCounts: { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0 },
    };
  }

  private describeStacks(nextToken: string | undefined): string {
    const index = nextToken === undefined ? 0 : Number(nextToken);
    const stack = this.stacks[index];
    const member =
      stack === undefined
        ? ''
        : `<member><StackName>${stack.name}</StackName>` +
          `<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${stack.name}/1</StackId>` +
          '<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>' +
          Object.entries(stack.outputs)
            .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
            .join('') +
          '</Outputs></member>';
    const next = index + 1 < this.stacks.length ? `<NextToken>${index + 1}</NextToken>` : '';
    return (
      '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>' +
      `<Stacks>${member}</Stacks>${next}</DescribeStacksResult>` +
      '<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>'
    );
  }
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Epoch seconds, as the JSON protocol writes timestamps. */
function seconds(date: Date): number {
  return date.getTime() / 1000;
}

function pageOf<T>(items: readonly T[], token: unknown, size: number): { page: T[]; nextToken?: string } {
  const start = typeof token === 'string' ? Number(token) : 0;
  const page = items.slice(start, start + size);
  return start + size < items.length ? { page, nextToken: String(start + size) } : { page };
}
