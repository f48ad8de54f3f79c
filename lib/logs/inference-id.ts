/**
 * Where the inference id of a data-log line ends.
 *
 * InvokeEndpointAsync accepts any id of 1–64 characters matching `\A\S[\p{Print}]*\z`: a
 * non-space first character, then printable characters, spaces and brackets included. The line
 * is `[sagemaker logs] [<id>] <message>`, so an id such as `scan[2026-11-30]-batch` or
 * `trailing-space ` is unambiguous (the id ends at the only `]` followed by a space or the end
 * of the line), but `[a] b] Received ...` could be the id `a` with the message `b] Received ...`
 * or the id `a] b` with the message `Received ...`. The rule, in order:
 *
 * 1. A candidate end is a `]` followed by a space or the end of the line, such that the id
 *    before it is 1–64 characters, starts with a non-space and holds no control character.
 * 2. One candidate: that is the id.
 * 3. Several: each is scored by what the platform's own messages look like, and the highest
 *    score wins, the longest id among equals:
 *      3 - the message after it starts with one of SageMaker's data-log phrases
 *          ("Received server error", "Inference request succeeded", "The response from
 *          container ...", see PLATFORM_PHRASE);
 *      2 - the id is a UUID, the form SageMaker generates when the caller gives none;
 *      1 - the message starts with a capitalised word, as every platform message does;
 *      0 - anything else, an empty message included (the platform never writes one).
 *    The platform writes the message, so its first words are the platform's, never a fragment
 *    of the id: a longer id is preferred among equals because a platform message does not put
 *    `] <platform phrase>` in its first 64 characters, while a client id may contain `] `.
 * 4. No candidate within 64 characters: the first `]` followed by a space or the end, up to
 *    256 characters (lenient, should the API ever allow longer ids).
 */
export const MAX_INFERENCE_ID_CHARS = 64;
const LENIENT_ID_CHARS = 256;

const PLATFORM_PHRASE =
  /^(?:Received (?:server|client) error|Inference request|The (?:response|request|model|container|inference|input|output|endpoint)\b|Model (?:container|server|latency)|Request(?:s)? (?:has|have|was|were|is|timed|expired|failed|payload)|Failed to|Unable to|Successfully|Invocation|Exception\b|Error\b|Timed out|Timeout\b|Downloading|Uploading|Processing|Starting|Completed)/;
const CAPITALISED_WORD = /^[A-Z][a-z]+(?:[ .,:;!?(]|$)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` is one InvokeEndpointAsync would accept (1–64 characters, first not a space, no controls). */
export function isAcceptedInferenceId(id: string, maxChars = MAX_INFERENCE_ID_CHARS): boolean {
  if (id.length === 0 || id.length > maxChars) return false;
  if (/\s/.test(id[0]!)) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 32 || (c >= 127 && c < 160)) return false;
  }
  return true;
}

/**
 * Index of the `]` that closes the id whose `[` is at `open`, or -1 when the line has no
 * acceptable id. Nearly every line has exactly one candidate and is settled by the first loop.
 */
export function closingBracket(raw: string, open: number): number {
  const first = open + 1;
  let only = -1;
  let several: number[] | undefined;
  for (let close = raw.indexOf(']', first + 1); close >= 0 && close - first <= MAX_INFERENCE_ID_CHARS; close = raw.indexOf(']', close + 1)) {
    if (!endsId(raw, close) || !isAcceptedInferenceId(raw.slice(first, close))) continue;
    if (only < 0) only = close;
    else (several ??= [only]).push(close);
  }
  if (several) return best(raw, first, several);
  if (only >= 0) return only;
  for (let close = raw.indexOf(']', first + 1); close >= 0 && close - first <= LENIENT_ID_CHARS; close = raw.indexOf(']', close + 1)) {
    if (endsId(raw, close) && isAcceptedInferenceId(raw.slice(first, close), LENIENT_ID_CHARS)) return close;
  }
  return -1;
}

function endsId(raw: string, close: number): boolean {
  return close + 1 === raw.length || raw.charCodeAt(close + 1) === 32;
}

function best(raw: string, first: number, candidates: readonly number[]): number {
  let chosen = candidates[0]!;
  let chosenScore = -1;
  for (const close of candidates) {
    const score = scoreOf(raw.slice(first, close), raw.slice(close + 2, close + 2 + 80));
    // Candidates come shortest first: `>=` keeps the longest among equals.
    if (score >= chosenScore) {
      chosen = close;
      chosenScore = score;
    }
  }
  return chosen;
}

function scoreOf(id: string, messageHead: string): number {
  if (PLATFORM_PHRASE.test(messageHead)) return 3;
  if (UUID.test(id)) return 2;
  if (CAPITALISED_WORD.test(messageHead)) return 1;
  return 0;
}
