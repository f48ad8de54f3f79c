/**
 * One published AWS price. Every entry of the price table says where it was read and when, so
 * a figure computed from it (the bench's cost per million requests, `sagewatch plan`'s monthly
 * estimate) can be checked against the page and updated when AWS changes it.
 */
export interface Price {
  /** US dollars for `per` of `unit`. */
  usd: number;
  per: number;
  /** What is counted, singular: 'write request unit', 'GB-second', 'request'. */
  unit: string;
  /** The Region the price is for; sagewatch quotes us-east-1 (prices differ by Region). */
  region: string;
  /** The pricing page the figure was read from. */
  source: string;
  /** The day (YYYY-MM-DD) the figure was read from `source`. */
  checked: string;
  /** Anything that changes how the price applies (tiers, rounding, free allowances). */
  note?: string;
}

/** What `quantity` of the price's unit costs, in US dollars. */
export function costUsd(price: Price, quantity: number): number {
  return (price.usd * quantity) / price.per;
}
