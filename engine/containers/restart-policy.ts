import type { HostConfig } from "./config.js";

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run this long resets the back-off, whatever its outcome. */
const STEADY_RUN_MS = 10_000;

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
}

/**
 * Docker's restart manager for one container: whether an exit leads to a
 * restart under the container's policy, and after what back-off (100 ms,
 * doubling up to a minute; a run of 10 s or more starts again from 100 ms).
 */
export class RestartTracker {
  private delayMs = 0;
  /** Restarts since the last start by a client, for on-failure's maximum. */
  private count = 0;
  private cancelled = false;

  /** A stop or kill by a client: no restart follows the coming exit. */
  cancel(): void {
    this.cancelled = true;
  }

  decide(policy: HostConfig["RestartPolicy"], exitCode: number, manuallyStopped: boolean, ranMs: number): RestartDecision {
    if (this.cancelled) return { restart: false, delayMs: 0 };
    if (ranMs >= STEADY_RUN_MS) this.delayMs = 0;
    this.delayMs = this.delayMs === 0 ? FIRST_DELAY_MS : Math.min(this.delayMs * 2, MAX_DELAY_MS);
    const restart = policyRestarts(policy, exitCode, manuallyStopped, this.count);
    if (restart) this.count++;
    return { restart, delayMs: this.delayMs };
  }
}

/** Whether a policy restarts after an exit, given the restarts already made. */
export function policyRestarts(policy: HostConfig["RestartPolicy"], exitCode: number, manuallyStopped: boolean, restarts: number): boolean {
  switch (policy?.Name) {
    case "always":
      return true;
    case "unless-stopped":
      return !manuallyStopped;
    case "on-failure": {
      const max = policy.MaximumRetryCount ?? 0;
      return exitCode !== 0 && (max === 0 || restarts < max);
    }
    default:
      return false;
  }
}
