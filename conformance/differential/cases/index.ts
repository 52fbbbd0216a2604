import type { Case } from "../case.js";
import { errorCases } from "./errors.js";
import { eventCases } from "./events.js";
import { systemCases } from "./system.js";

/** Every differential suite, by name. */
export const suites: Record<string, Case[]> = {
  system: systemCases,
  errors: errorCases,
  events: eventCases,
};
