import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/layers';

const MAX_LINES = 300;
// A longer file is one concept (or data) that says so where a reader starts.
const WHY = /^\/\/ Over 300 lines on purpose: \S/;

describe('source files stay one concept', () => {
  it(`every non-test .ts file over ${MAX_LINES} lines says why in its first line`, () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.startsWith('test/'));
    expect(files.length).toBeGreaterThan(100);
    const unexplained = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return text.split('\n').length - 1 > MAX_LINES && !WHY.test(text);
    });
    expect(unexplained).toEqual([]);
  });
});
