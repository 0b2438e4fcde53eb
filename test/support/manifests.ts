/** A synthesized Kubernetes object, as `Testing.synth()` returns it. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
};

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter(m => m.kind === kind);
}

export function one(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter(m => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} named ${name}, found ${found.length} among ${manifests.map(m => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  }
  return found[0];
}

/** Whether a label selector's matchLabels select a set of labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
