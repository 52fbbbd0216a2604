/** A `docker version` answer, as far as its Components go; a Sockerless backend's Details hold Unsupported. */
interface VersionAnswer {
  Components?: { Name: string; Details?: object }[];
}

/** A subject's backend and what it declares unsupported; the reference engine has no backend component, so nothing. */
export interface BackendSupport {
  name: string;
  /** The needs of a case it declares unsupported: a case with any is skipped. */
  lacking(needs: readonly string[] | undefined): string[];
}

export function backendSupport(version: VersionAnswer): BackendSupport {
  const component = version.Components?.find((c) => c.Name.startsWith("backend "));
  const declared = (component?.Details as { Unsupported?: string } | undefined)?.Unsupported ?? "";
  const unsupported = new Set(declared.split(",").filter(Boolean));
  return {
    name: component?.Name.slice("backend ".length) ?? "",
    lacking: (needs) => (needs ?? []).filter((n) => unsupported.has(n)),
  };
}
