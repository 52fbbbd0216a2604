import { randomInt } from "node:crypto";
import { InvalidParameterError } from "../errors.js";

const validName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's container name rule; returns the name with its leading slash. */
export function checkContainerName(name: string): string {
  if (!validName.test(name)) {
    throw new InvalidParameterError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith("/") ? name : `/${name}`;
}

const adjectives = [
  "brave", "calm", "clever", "eager", "gentle", "happy", "keen", "lively", "merry", "nimble",
  "patient", "proud", "quiet", "quick", "sharp", "steady", "swift", "tender", "vivid", "witty",
  "bold", "bright", "busy", "cosy", "daring", "fair", "fond", "jolly", "kind", "loyal",
];
const people = [
  "babbage", "bardeen", "curie", "dijkstra", "euler", "faraday", "galois", "hamilton", "hopper", "hypatia",
  "kepler", "knuth", "lamarr", "liskov", "lovelace", "maxwell", "meitner", "noether", "pascal", "ramanujan",
  "ritchie", "shannon", "thompson", "turing", "wirth", "yonath", "zuse", "franklin", "germain", "goodall",
];

/** A random adjective_person name, as Docker generates when none is given. */
export function generatedName(): string {
  return `/${adjectives[randomInt(adjectives.length)]}_${people[randomInt(people.length)]}`;
}
