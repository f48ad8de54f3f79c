/**
 * osls loads serverless.ts inside its own process, so the few values that shape the template's
 * structure (not just strings in it) are read from the same command line osls parses:
 * `--stage` fixes resource names, `--param` may decide which IAM statements exist.
 */

/** `--name value` or `--name=value`, first occurrence wins (as osls does for single options). */
export function cliOption(argv: readonly string[], names: readonly string[], fallback: string): string {
  for (const [i, arg] of argv.entries()) {
    for (const name of names) {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      const next = argv[i + 1];
      if (arg === name && next !== undefined && !next.startsWith('-')) return next;
    }
  }
  return fallback;
}

/**
 * Every `--param key=value` / `--param=key=value`, later ones winning, parsed like osls does
 * (`key` up to the first `=`, the value is the rest, trailing spaces dropped).
 */
export function cliParams(argv: readonly string[]): Record<string, string> {
  const raw: string[] = [];
  for (const [i, arg] of argv.entries()) {
    if (arg.startsWith('--param=')) raw.push(arg.slice('--param='.length));
    else if (arg === '--param' && argv[i + 1] !== undefined) raw.push(argv[i + 1]!);
  }
  const params: Record<string, string> = {};
  for (const item of raw) {
    const match = /^(?<key>[^=]+)=(?<value>.+)$/s.exec(item);
    if (match?.groups) params[match.groups.key!] = match.groups.value!.trimEnd();
  }
  return params;
}
