/**
 * The demo replays 70 minutes of traffic in seconds. Handlers and detectors read the time
 * (sliding windows, stuck-request cut-offs, TTLs), so the local runtime moves a simulated clock
 * through the timeline instead: `Date.now()` and `new Date()` follow it, timers do not. That
 * makes a run's detections independent of how fast the machine is: same seed, same run.
 */
const RealDate = Date;

export class SimulatedClock {
  private current: number;
  private installed = false;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves forward only: time in the store and the stream never goes backwards. */
  advanceTo(ms: number): void {
    if (ms > this.current) this.current = ms;
  }

  install(): void {
    if (this.installed) return;
    const clock = this;
    class SimulatedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.current);
        else super(...(args as [string | number | Date]));
      }
      static override now(): number {
        return clock.current;
      }
    }
    globalThis.Date = SimulatedDate as DateConstructor;
    this.installed = true;
  }

  uninstall(): void {
    if (!this.installed) return;
    globalThis.Date = RealDate;
    this.installed = false;
  }
}

export const realNow = (): number => RealDate.now();
