/**
 * Step Functions history events counted as AWS counts them (HistoryEventType of
 * GetExecutionHistory), from the event log aws-local-stepfunctions emits while it runs a
 * definition. The 25,000-event quota is per execution: an inline Map's iterations are part of
 * their parent's history, a Distributed Map's iterations are child executions with histories
 * of their own, and so is an execution started by `states:startExecution`.
 *
 * Per state, AWS records `<Type>StateEntered` and `<Type>StateExited` (a Fail state only
 * enters); a Lambda task adds LambdaFunctionScheduled, LambdaFunctionStarted and
 * LambdaFunctionSucceeded/Failed per attempt; an integrated task (`arn:aws:states:::...`)
 * adds TaskScheduled, TaskStarted, TaskSubmitted (`.sync`) and TaskSucceeded/Failed per
 * attempt; an inline Map adds MapStateStarted/Succeeded and MapIterationStarted/Succeeded per
 * item; a Distributed Map adds MapRunStarted/Succeeded; a Parallel adds
 * ParallelStateStarted/Succeeded; the execution itself ExecutionStarted and its end.
 */
export interface StateShape {
  type: string;
  resource?: string;
  distributed?: boolean;
  /** The Distributed Map whose child executions run this state, if any. */
  inDistributedMap?: string;
}

type Definition = { States: Record<string, Record<string, unknown>> };

/** Every state of a definition by name, nested ones included (names are unique in ours). */
export function stateShapes(definition: Definition, inDistributedMap?: string, into = new Map<string, StateShape>()): Map<string, StateShape> {
  for (const [name, state] of Object.entries(definition.States)) {
    const type = String(state.Type);
    const processorConfig = (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig;
    const distributed = type === 'Map' && processorConfig?.Mode === 'DISTRIBUTED';
    into.set(name, {
      type,
      ...(typeof state.Resource === 'string' ? { resource: state.Resource } : {}),
      ...(distributed ? { distributed } : {}),
      ...(inDistributedMap ? { inDistributedMap } : {}),
    });
    const processor = (state.ItemProcessor ?? state.Iterator) as Definition | undefined;
    if (processor) stateShapes(processor, distributed ? name : inDistributedMap, into);
    for (const branch of (state.Branches as Definition[] | undefined) ?? []) stateShapes(branch, inDistributedMap, into);
  }
  return into;
}

function attemptEvents(shape: StateShape): number {
  if (shape.type !== 'Task') return 0;
  if (!shape.resource?.startsWith('arn:aws:states:::')) return 3;
  return shape.resource.includes('.sync') ? 4 : 3;
}

interface LoggedEvent {
  type: string;
  state?: { name: string; type: string };
  parentState?: { name: string };
  index?: number;
}

/**
 * Consumes an execution's event log and returns the history length of the execution and of
 * each Distributed Map child execution it ran (keyed `<map state>#<item index>`).
 */
export async function countHistory(definition: Definition, events: AsyncIterable<LoggedEvent>): Promise<{ execution: number; children: Map<string, number> }> {
  const shapes = stateShapes(definition);
  const children = new Map<string, number>();
  let execution = 0;
  const add = (shape: StateShape | undefined, index: number | undefined, n: number) => {
    if (shape?.inDistributedMap !== undefined && index !== undefined) {
      const key = `${shape.inDistributedMap}#${index}`;
      children.set(key, (children.get(key) ?? 0) + n);
    } else {
      execution += n;
    }
  };
  for await (const event of events) {
    const shape = event.state ? shapes.get(event.state.name) : undefined;
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        execution += 1;
        break;
      case 'StateEntered':
        add(shape, event.index, 1 + attemptEvents(shape ?? { type: '' }) + (shape?.type === 'Map' || shape?.type === 'Parallel' ? 1 : 0));
        break;
      case 'StateExited':
        add(shape, event.index, 1 + (shape?.type === 'Map' || shape?.type === 'Parallel' ? 1 : 0));
        break;
      case 'StateRetried':
        add(shape, event.index, attemptEvents(shape ?? { type: '' }));
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const map = event.parentState ? shapes.get(event.parentState.name) : undefined;
        // A Distributed Map iteration is a child execution: its start and end are that
        // execution's ExecutionStarted/Succeeded; an inline one is MapIteration* in the parent.
        if (map?.distributed && event.index !== undefined) {
          const key = `${event.parentState!.name}#${event.index}`;
          children.set(key, (children.get(key) ?? 0) + 1);
        } else {
          add(map, event.index, 1);
        }
        break;
      }
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        // Branch starts and ends are not history events of their own.
        break;
      default:
        break;
    }
  }
  return { execution, children };
}
