/**
 * Prometheus text exposition format 0.0.4: one HELP and TYPE line per
 * metric, then its samples.
 */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** Collects metrics in order and renders them as one exposition. */
export class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: "counter" | "gauge" | "histogram", help: string, samples: [Labels, number][]): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.sample(name, labels, value);
  }

  /** A sample under the metric declared last (a histogram's _bucket, _sum and _count). */
  sample(name: string, labels: Labels, value: number): void {
    this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}
