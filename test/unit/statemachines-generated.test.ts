import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS, TRANSIENT_ERRORS, definitionText, type MachineName } from '../../statemachines/definitions';

describe('statemachines/*.asl.json', () => {
  it.each(Object.keys(DEFINITIONS) as MachineName[])('%s.asl.json is exactly what statemachines/definitions.ts generates (npm run statemachines)', (name) => {
    const file = readFileSync(new URL(`../../statemachines/${name}.asl.json`, import.meta.url), 'utf8');
    expect(file).toBe(definitionText(name));
  });

  it('the transient-error retry list is written once in the source', () => {
    const source = readFileSync(new URL('../../statemachines/definitions.ts', import.meta.url), 'utf8');
    expect(source.match(/'Lambda\.ServiceException'/g)).toHaveLength(1);
    expect(TRANSIENT_ERRORS).toContain('Lambda.TooManyRequestsException');
  });

  it('reconcile holds no copy of the converge steps: it runs the attach machine as a child execution', () => {
    const reconcile = definitionText('reconcile');
    expect(reconcile).not.toContain('${DescribeFunctionArn}');
    expect(reconcile).not.toContain('${ConvergeFunctionArn}');
    expect(reconcile).not.toContain('${ClassifyFunctionArn}');
    expect(reconcile.match(/states:startExecution\.sync:2/g)?.length).toBeGreaterThan(0);
    expect(reconcile).toContain('"Mode": "DISTRIBUTED"');
  });
});
