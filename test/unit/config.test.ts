import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../lib/config';

describe('loadConfig', () => {
  it('honours the env it is given, even after the process config was loaded', () => {
    const processConfig = loadConfig();
    const mine = loadConfig({ REQUESTS_TABLE: 'sagewatch-prod-requests', AWS_REGION: 'eu-west-1' });
    expect(mine.requestsTable).toBe('sagewatch-prod-requests');
    expect(mine.region).toBe('eu-west-1');
    expect(loadConfig()).toBe(processConfig);
    expect(loadConfig({ STATE_TABLE: 'other' }).stateTable).toBe('other');
  });

  it('reads an env object once', () => {
    const env = { RETENTION_DAYS: '7' };
    expect(loadConfig(env)).toBe(loadConfig(env));
    expect(loadConfig(env)).toEqual(parseConfig(env));
  });
});
