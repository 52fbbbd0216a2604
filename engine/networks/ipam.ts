import { isIPv4, isIPv6 } from "node:net";
import { InvalidParameterError } from "../errors.js";

export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface Ipam {
  Driver?: string;
  Options?: Record<string, string> | null;
  Config?: IpamConfig[] | null;
}

const toInt = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** An IPv4 prefix: network address and length. */
export interface Prefix4 {
  base: number;
  bits: number;
}

export function parsePrefix4(cidr: string): Prefix4 | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) return undefined;
  return { base: toInt(m[1]), bits: Number(m[2]) };
}

const size = (p: Prefix4) => 2 ** (32 - p.bits);
const masked = (p: Prefix4) => Math.floor(p.base / size(p)) * size(p);
export const contains = (p: Prefix4, ip: string) => isIPv4(ip) && toInt(ip) >= masked(p) && toInt(ip) < masked(p) + size(p);
const show = (p: Prefix4, base = p.base) => `${toIp(base)}/${p.bits}`;
const overlaps = (a: Prefix4, b: Prefix4) => masked(a) < masked(b) + size(b) && masked(b) < masked(a) + size(a);

function isV6Cidr(cidr: string): boolean {
  const m = /^([0-9a-fA-F:.]+)\/(\d+)$/.exec(cidr);
  return Boolean(m && isIPv6(m[1]) && Number(m[2]) <= 128);
}

function checkAddress(address: string | undefined, subnet: Prefix4): string | undefined {
  if (!address) return undefined;
  if (isIPv6(address)) return "parent subnet is an IPv4 block";
  if (!isIPv4(address)) return "invalid address";
  if (!contains(subnet, address)) return `parent subnet ${show(subnet)} doesn't contain this address`;
  return undefined;
}

/** moby's ValidateIPAM (API 1.44+, unversioned): every problem found, joined as dockerd joins them. */
export function validateIpam(ipam: Ipam | undefined, enableIPv6: boolean): void {
  const errs: string[] = [];
  for (const cfg of ipam?.Config ?? []) {
    const subnet = parsePrefix4(cfg.Subnet ?? "");
    if (!subnet) {
      if (isV6Cidr(cfg.Subnet ?? "")) {
        if (enableIPv6) errs.push(`invalid subnet ${cfg.Subnet}: IPv6 subnets are not supported by sockerless`);
        continue;
      }
      errs.push(`invalid subnet ${cfg.Subnet ?? ""}: invalid CIDR block notation`);
      continue;
    }
    if (masked(subnet) !== subnet.base) errs.push(`invalid subnet ${show(subnet)}: it should be ${show(subnet, masked(subnet))}`);
    if (cfg.IPRange) {
      const range = parsePrefix4(cfg.IPRange);
      if (!range) errs.push(isV6Cidr(cfg.IPRange) ? `invalid ip-range ${cfg.IPRange}: parent subnet is an IPv4 block` : `invalid ip-range ${cfg.IPRange}: invalid CIDR block notation`);
      else {
        if (range.bits < subnet.bits) errs.push(`invalid ip-range ${cfg.IPRange}: CIDR block is bigger than its parent subnet ${show(subnet)}`);
        if (masked(range) !== range.base) errs.push(`invalid ip-range ${show(range)}: it should be ${show(range, masked(range))}`);
        if (!overlaps(subnet, range)) errs.push(`invalid ip-range ${cfg.IPRange}: parent subnet ${show(subnet)} doesn't contain ip-range`);
      }
    }
    const gw = checkAddress(cfg.Gateway, subnet);
    if (gw) errs.push(`invalid gateway ${cfg.Gateway}: ${gw}`);
    for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const e = checkAddress(aux, subnet);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length === 0) return;
  const joined = errs.length === 1 ? errs[0] : "* " + errs.join("\n* ");
  throw new InvalidParameterError(`invalid network config:\n${joined}`);
}

/** The first host address of a subnet, dockerd's default gateway. */
export const firstHost = (p: Prefix4) => toIp(masked(p) + 1);

/**
 * The next free address of the subnet (or its ip-range), skipping the
 * network and broadcast addresses and those taken; undefined when full.
 */
export function nextFree(cfg: IpamConfig, taken: Set<string>): string | undefined {
  const subnet = parsePrefix4(cfg.Subnet ?? "")!;
  const range = cfg.IPRange ? parsePrefix4(cfg.IPRange)! : subnet;
  const first = Math.max(masked(range), masked(subnet) + 1);
  const last = Math.min(masked(range) + size(range), masked(subnet) + size(subnet) - 1);
  for (let n = first; n < last; n++) if (!taken.has(toIp(n))) return toIp(n);
  return undefined;
}

/** The default address pools dockerd draws user networks from: 172.17-31.0.0/16, then 192.168.0.0/20 blocks. */
export function defaultPools(): string[] {
  const pools: string[] = [];
  for (let b = 17; b <= 31; b++) pools.push(`172.${b}.0.0/16`);
  for (let c = 0; c < 256; c += 16) pools.push(`192.168.${c}.0/20`);
  return pools;
}

export function overlapping(a: string, b: string): boolean {
  const pa = parsePrefix4(a);
  const pb = parsePrefix4(b);
  return Boolean(pa && pb && overlaps(pa, pb));
}

/** A MAC address derived from the IPv4 address, as dockerd's bridge driver made them (02:42 + the address). */
export function macFor(ip: string): string {
  return ["02", "42", ...ip.split(".").map((p) => Number(p).toString(16).padStart(2, "0"))].join(":");
}

export const prefixLength = (cidr: string) => parsePrefix4(cidr)?.bits ?? 0;
