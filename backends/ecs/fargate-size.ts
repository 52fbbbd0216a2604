/** A Fargate task size: CPU units and memory in MiB, as RegisterTaskDefinition takes them. */
export interface FargateSize {
  cpu: number;
  memory: number;
}

const MIB = 1024 * 1024;

/** Fargate's valid combinations: each CPU size with the memory sizes it allows, smallest first. */
function fargateSizes(): FargateSize[] {
  const range = (cpu: number, from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => ({ cpu, memory: from + i * step }));
  return [
    ...[512, 1024, 2048].map((memory) => ({ cpu: 256, memory })),
    ...range(512, 1024, 4096, 1024),
    ...range(1024, 2048, 8192, 1024),
    ...range(2048, 4096, 16384, 1024),
    ...range(4096, 8192, 30720, 1024),
    ...range(8192, 16384, 61440, 4096),
    ...range(16384, 32768, 122880, 8192),
  ].sort((a, b) => a.memory - b.memory || a.cpu - b.cpu);
}

const SIZES = fargateSizes();

/** The smallest Fargate size with at least `memoryBytes` (HostConfig.Memory; 0 means no limit, the smallest size). */
export function fargateSize(memoryBytes: number): FargateSize {
  const mib = Math.ceil(memoryBytes / MIB);
  const size = SIZES.find((s) => s.memory >= mib);
  if (!size) throw new Error(`a memory limit of ${mib} MiB is more than Fargate's largest task size (${SIZES[SIZES.length - 1].memory} MiB)`);
  return size;
}
