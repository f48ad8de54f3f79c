/**
 * The few distributions the request-level detectors decide with: exact binomial tails (how
 * surprising k failures of n are at a given rate) and the normal tail (for the latency rank
 * test). Pure numerics, no dependencies; accurate to well below the significance levels used.
 */

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-12) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(X ≥ k) for X ~ Binomial(n, p): how surprising k or more events of n are at rate p. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return regularizedBeta(p, k, n - k + 1);
}

/** P(Z ≥ z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  // erfc by the Numerical Recipes Chebyshev fit (relative error < 1.2e-7).
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * P(X ≥ k) for X ~ BetaBinomial(n, a, b): k or more events of n when the rate itself is only
 * known as Beta(a, b), i.e. from a history of finite length. A short history widens the tail,
 * so a few clean requests before an unlucky streak are not read as certainty of a 0% rate.
 * Summed term by term from k (each term from the previous by its ratio), stopping once the
 * terms no longer matter.
 */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logBeta = (x: number, y: number) => logGamma(x) + logGamma(y) - logGamma(x + y);
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  let term = Math.exp(logChoose + logBeta(k + a, n - k + b) - logBeta(a, b));
  let sum = term;
  for (let j = k; j < n; j++) {
    term *= ((n - j) / (j + 1)) * ((j + a) / (n - j - 1 + b));
    sum += term;
    if (term < sum * 1e-12 && j > (n * a) / (a + b)) break;
  }
  return Math.min(1, sum);
}

/**
 * P(X ≥ k) for X ~ Binomial(n, shift + (1 - shift)·p), p ~ Beta(a, b): how surprising k events
 * of n are at a rate `shift` above one known only as well as its history says. Each request
 * fails for the excess (probability `shift`) or else at the baseline's uncertain rate, so X is
 * a binomial count plus a beta-binomial one of the rest: exact, in a few hundred terms.
 */
export function shiftedBetaBinomialUpperTail(k: number, n: number, a: number, b: number, shift: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (shift <= 0) return betaBinomialUpperTail(k, n, a, b);
  const logShift = Math.log(shift);
  const logRest = Math.log1p(-shift);
  const logChoose = (m: number, j: number) => logGamma(m + 1) - logGamma(j + 1) - logGamma(m - j + 1);
  let total = 0;
  for (let x = 0; x < k; x++) {
    const weight = Math.exp(logChoose(n, x) + x * logShift + (n - x) * logRest);
    total += weight * betaBinomialUpperTail(k - x, n - x, a, b);
    if (weight < 1e-16 && x > n * shift) return Math.min(1, total);
  }
  // k or more failures from the excess alone.
  return Math.min(1, total + binomialUpperTail(k, n, shift));
}

/**
 * Fisher's exact one-sided test: P(X ≥ k) for X ~ Hypergeometric (k + f events among n + m
 * trials, n of them drawn): how surprising it is that k of the events fell in the recent n
 * trials if recent and history (f events in m) shared one rate, whatever that rate is. No
 * prior: it asks only whether the window differs from its own history.
 */
export function fisherUpperTail(k: number, n: number, f: number, m: number): number {
  if (k <= 0) return 1;
  const events = k + f;
  const total = n + m;
  const top = Math.min(n, events);
  if (k > top) return 0;
  const logChoose = (a: number, b: number) => logGamma(a + 1) - logGamma(b + 1) - logGamma(a - b + 1);
  let term = Math.exp(logChoose(events, k) + logChoose(total - events, n - k) - logChoose(total, n));
  let sum = term;
  for (let x = k; x < top; x++) {
    term *= ((events - x) * (n - x)) / ((x + 1) * (total - events - n + x + 1));
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}
