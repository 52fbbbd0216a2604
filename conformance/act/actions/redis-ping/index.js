// A JavaScript action with no dependencies: PING, SET and GET on a Redis
// server in RESP over node:net, then the replies as step outputs.
"use strict";
const fs = require("node:fs");
const net = require("node:net");

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] || "").trim();
const host = input("host") || "redis";
const port = Number(input("port") || 6379);
const key = input("key");
const value = input("value");

function setOutput(name, text) {
  // The GITHUB_OUTPUT file command; the runner reads it after the step.
  fs.appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${text}\n`);
}

function fail(message) {
  // The ::error:: workflow command marks the step failed in the runner's log.
  console.log(`::error::${message}`);
  process.exit(1);
}

/** One RESP command: an array of bulk strings. */
const command = (...args) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("");

/** Parses one reply at the start of BUF: [value, bytes used], or undefined while incomplete. */
function parseReply(buf) {
  const eol = buf.indexOf("\r\n");
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[0]);
  const line = buf.subarray(1, eol).toString();
  if (type === "+") return [line, eol + 2];
  if (type === "-") return [new Error(line), eol + 2];
  if (type === ":") return [Number(line), eol + 2];
  if (type === "$") {
    const len = Number(line);
    if (len < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + len + 2) return undefined;
    return [buf.subarray(eol + 2, eol + 2 + len).toString(), eol + 2 + len + 2];
  }
  throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
}

const socket = net.connect({ host, port });
socket.setTimeout(10000, () => fail(`no answer from ${host}:${port} within 10 s`));
socket.on("error", (err) => fail(`cannot talk to ${host}:${port}: ${err.message}`));
socket.on("connect", () => {
  console.log(`connected to ${host} (${socket.remoteAddress}) on port ${port}`);
  setOutput("address", socket.remoteAddress);
  socket.write(command("PING") + command("SET", key, value) + command("GET", key));
});

const replies = [];
let pending = Buffer.alloc(0);
socket.on("data", (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (let parsed; (parsed = parseReply(pending)); ) {
    replies.push(parsed[0]);
    pending = pending.subarray(parsed[1]);
  }
  if (replies.length < 3) return;
  socket.end();
  const [pong, ok, got] = replies;
  for (const r of replies) if (r instanceof Error) fail(`redis answered an error: ${r.message}`);
  console.log(`PING -> ${pong}, SET -> ${ok}, GET -> ${got}`);
  if (pong !== "PONG" || ok !== "OK" || got !== value) fail("redis did not answer PONG, OK and the value it was given");
  setOutput("pong", pong);
  setOutput("value", got);
});
