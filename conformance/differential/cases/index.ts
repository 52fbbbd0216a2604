import type { Case } from "../case.js";
import { archiveCases } from "./archive.js";
import { buildCases } from "./build.js";
import { errorCases } from "./errors.js";
import { eventCases } from "./events.js";
import { imageCases } from "./images.js";
import { lifecycleCases, logCases } from "./lifecycle.js";
import { listCases } from "./list.js";
import { registryCases } from "./registry.js";
import { systemCases } from "./system.js";
import { topStatsCases } from "./top-stats.js";
import { volumeCases } from "./volumes.js";
import { networkCases } from "./networks.js";

/** Every differential suite, by name. */
export const suites: Record<string, Case[]> = {
  system: systemCases,
  errors: errorCases,
  events: eventCases,
  list: listCases,
  "top-stats": topStatsCases,
  archive: archiveCases,
  lifecycle: lifecycleCases,
  logs: logCases,
  images: imageCases,
  registry: registryCases,
  volumes: volumeCases,
  networks: networkCases,
  build: buildCases,
};
