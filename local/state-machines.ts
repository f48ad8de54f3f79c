import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { ATTACH_MACHINE_PLACEHOLDER, FUNCTION_PLACEHOLDERS, type Definition, type MachineName } from '../statemachines/definitions';
import { countHistory } from './history';
import './polyfills';

/**
 * The deployed definitions (statemachines/*.asl.json), executed by aws-local-stepfunctions
 * with every Task bound to its real handler: the one binding the local run and the tests use.
 * Reconcile's child executions (`states:startExecution.sync:2` of the attach machine) run the
 * attach definition here too, and every execution's history is counted as AWS counts it.
 */
export type TaskRole = keyof typeof FUNCTION_PLACEHOLDERS;
export type TaskHandler = (input: unknown) => Promise<unknown>;
export type TaskHandlers = Partial<Record<TaskRole, TaskHandler>>;

const LOCAL_ACCOUNT = '000000000000';

/** A definition as the template deploys it: every placeholder becomes an ARN. */
export function loadDefinition(name: MachineName, region = 'us-east-1'): Definition {
  let text = readFileSync(resolve(import.meta.dirname, '..', 'statemachines', `${name}.asl.json`), 'utf8');
  for (const [role, placeholder] of Object.entries(FUNCTION_PLACEHOLDERS)) {
    text = text.replaceAll(placeholder, `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:sagewatch-local-${role}`);
  }
  text = text.replaceAll(ATTACH_MACHINE_PLACEHOLDER, `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:sagewatch-local-attach`);
  const unresolved = /\$\{[A-Za-z0-9]+\}/.exec(text);
  if (unresolved) throw new Error(`statemachines/${name}.asl.json: no local binding for ${unresolved[0]}`);
  return JSON.parse(text) as Definition;
}

const ROLE_OF_FUNCTION = new Map(Object.keys(FUNCTION_PLACEHOLDERS).map((role) => [`function:sagewatch-local-${role}`, role as TaskRole]));

interface Walked {
  tasks: Map<string, string>;
  retrying: string[];
  waits: string[];
}

function walk(states: Record<string, Record<string, unknown>>, into: Walked = { tasks: new Map(), retrying: [], waits: [] }): Walked {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') into.tasks.set(name, String(state.Resource));
    if (Array.isArray(state.Retry)) into.retrying.push(name);
    if (state.Type === 'Wait') into.waits.push(name);
    const processor = state.ItemProcessor as { States: Record<string, Record<string, unknown>> } | undefined;
    if (processor) walk(processor.States, into);
  }
  return into;
}

export interface ExecutionStats {
  executions: number;
  executionsByMachine: Record<string, number>;
  /** The longest history of any one execution (parent, Distributed Map child or attach child). */
  maxHistoryEvents: number;
  historyEventsByMachine: Record<string, number>;
}

export interface LocalMachinesOptions {
  /** Retries and waits take no time (tests, the local run); the definitions' own values are checked elsewhere. */
  instant?: boolean;
  region?: string;
}

/** Runs the definitions with their tasks bound to `handlers`; keeps history statistics. */
export class LocalStateMachines {
  readonly stats: ExecutionStats = { executions: 0, executionsByMachine: {}, maxHistoryEvents: 0, historyEventsByMachine: {} };
  private readonly definitions = new Map<MachineName, Definition>();
  // Validating a definition (asl-validator) costs far more than running it: once per machine.
  private readonly machines = new Map<MachineName, StateMachine>();
  private sequence = 0;

  constructor(
    private readonly handlers: TaskHandlers,
    private readonly options: LocalMachinesOptions = {},
  ) {}

  private definition(name: MachineName): Definition {
    let definition = this.definitions.get(name);
    if (!definition) {
      definition = loadDefinition(name, this.options.region);
      this.definitions.set(name, definition);
    }
    return definition;
  }

  /** taskResourceLocalHandlers for a definition: each Task state → its function's handler. */
  bindTasks(name: MachineName): Record<string, TaskHandler> {
    const bound: Record<string, TaskHandler> = {};
    for (const [state, resource] of walk(this.definition(name).States).tasks) {
      if (resource.startsWith('arn:aws:states:::states:startExecution')) {
        bound[state] = (input) => this.startChild(input);
        continue;
      }
      const role = [...ROLE_OF_FUNCTION].find(([suffix]) => resource.endsWith(suffix))?.[1];
      const handler = role ? this.handlers[role] : undefined;
      if (!handler) throw new Error(`${name}: no handler bound for task ${state} (${resource})`);
      bound[state] = handler;
    }
    return bound;
  }

  /** `states:startExecution.sync:2` of the attach machine: its output is the execution's parsed Output. */
  private async startChild(parameters: unknown): Promise<unknown> {
    const { Input } = parameters as { Input: unknown };
    const output = await this.run('attach', Input);
    return { Status: 'SUCCEEDED', Output: output };
  }

  async run(name: MachineName, input: unknown): Promise<unknown> {
    const definition = this.definition(name);
    const walked = walk(definition.States);
    const overrides = {
      taskResourceLocalHandlers: this.bindTasks(name) as never,
      ...(this.options.instant
        ? {
            retryIntervalOverrides: Object.fromEntries(walked.retrying.map((state) => [state, 0])),
            waitTimeOverrides: Object.fromEntries(walked.waits.map((state) => [state, 0])),
          }
        : {}),
    };
    const id = `arn:aws:states:${this.options.region ?? 'us-east-1'}:${LOCAL_ACCOUNT}:execution:sagewatch-local-${name}:${++this.sequence}`;
    const context = { Execution: { Id: id, Name: String(this.sequence), Input: input as never, StartTime: new Date().toISOString() } };
    let machine = this.machines.get(name);
    if (!machine) {
      machine = new StateMachine(definition as never);
      this.machines.set(name, machine);
    }
    const execution = machine.run(input as never, { overrides, context });
    const history = countHistory(definition, execution.eventLogs as never);
    try {
      return await execution.result;
    } finally {
      const { execution: events, children } = await history;
      this.record(name, events);
      for (const childEvents of children.values()) this.record(`${name}-map-child`, childEvents);
    }
  }

  private record(machine: string, events: number): void {
    this.stats.executions += 1;
    this.stats.executionsByMachine[machine] = (this.stats.executionsByMachine[machine] ?? 0) + 1;
    this.stats.maxHistoryEvents = Math.max(this.stats.maxHistoryEvents, events);
    this.stats.historyEventsByMachine[machine] = Math.max(this.stats.historyEventsByMachine[machine] ?? 0, events);
  }
}
