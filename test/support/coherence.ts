import { Manifest, ofKind, selects } from './manifests';

/**
 * The rules that make a canary manifest set work in Istio, checked across objects. Returns the violations
 * (empty when the set is coherent), so tests can also prove each rule bites on a broken set.
 */
export function coherenceViolations(manifests: Manifest[], clusterDomain = 'cluster.local'): string[] {
  const out: string[] = [];
  const deployments = ofKind(manifests, 'Deployment');
  const services = ofKind(manifests, 'Service');
  const rules = ofKind(manifests, 'DestinationRule');
  const virtualServices = ofKind(manifests, 'VirtualService');
  const gateways = ofKind(manifests, 'Gateway');
  const podLabels = (d: Manifest) => d.spec.template.metadata.labels as Record<string, string>;
  const fqdn = (s: Manifest) => `${s.metadata.name}.${s.metadata.namespace}.svc.${clusterDomain}`;

  // Each Deployment's selector matches its own template and no other Deployment's.
  for (const d of deployments) {
    const selector = d.spec.selector.matchLabels;
    if (!selects(selector, podLabels(d))) out.push(`Deployment ${d.metadata.name}: selector does not match its own pod template`);
    for (const other of deployments) {
      if (other !== d && selects(selector, podLabels(other))) {
        out.push(`Deployment ${d.metadata.name}: selector also matches the pods of Deployment ${other.metadata.name}`);
      }
    }
  }

  for (const svc of services) {
    const selected = deployments.filter(d => selects(svc.spec.selector, podLabels(d)));
    if (selected.length !== deployments.length) {
      out.push(`Service ${svc.metadata.name}: selects ${selected.length} of ${deployments.length} Deployments`);
    }
    for (const port of svc.spec.ports) {
      // Istio picks the protocol from the port name prefix or appProtocol; otherwise it sniffs, or treats it as TCP.
      if (!/^(http|http2|grpc)(-|$)/.test(port.name ?? '') && !port.appProtocol) {
        out.push(`Service ${svc.metadata.name}: port ${port.port} has no HTTP name or appProtocol`);
      }
      for (const d of selected) {
        const containerPorts = d.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
        const target = port.targetPort ?? port.port;
        if (!containerPorts.some((p: any) => p.containerPort === target || p.name === target)) {
          out.push(`Service ${svc.metadata.name}: targetPort ${target} is not a container port of Deployment ${d.metadata.name}`);
        }
      }
    }
  }

  for (const dr of rules) {
    const svc = services.find(s => fqdn(s) === dr.spec.host);
    if (!svc) {
      out.push(`DestinationRule ${dr.metadata.name}: host ${dr.spec.host} is no Service of the set`);
      continue;
    }
    // A subset applies to the Service's endpoints: pods selected by both the Service and the subset labels.
    const endpoints = deployments.filter(d => selects(svc.spec.selector, podLabels(d)));
    for (const subset of dr.spec.subsets ?? []) {
      const matching = endpoints.filter(d => selects(subset.labels, podLabels(d)));
      if (matching.length !== 1) {
        out.push(`DestinationRule ${dr.metadata.name}: subset ${subset.name} selects the pods of ${matching.length} Deployments`);
      }
    }
  }

  for (const vs of virtualServices) {
    const boundToMesh = !vs.spec.gateways || vs.spec.gateways.includes('mesh');
    if (boundToMesh && vs.spec.hosts.includes('*')) out.push(`VirtualService ${vs.metadata.name}: wildcard host on the mesh gateway`);
    for (const ref of vs.spec.gateways ?? []) {
      if (ref === 'mesh') continue;
      const [ns, name] = ref.includes('/') ? ref.split('/') : [vs.metadata.namespace, ref];
      if (!gateways.some(g => g.metadata.name === name && g.metadata.namespace === ns)) {
        out.push(`VirtualService ${vs.metadata.name}: gateway ${ref} is not in the set`);
      }
    }
    for (const http of vs.spec.http ?? []) {
      const route = http.route ?? [];
      const total = route.reduce((sum: number, r: any) => sum + (r.weight ?? (route.length === 1 ? 100 : 0)), 0);
      if (total !== 100) out.push(`VirtualService ${vs.metadata.name}: route ${http.name} weights sum to ${total}`);
      for (const r of route) {
        const dr = rules.find(x => x.spec.host === r.destination.host);
        if (!dr) {
          out.push(`VirtualService ${vs.metadata.name}: no DestinationRule for host ${r.destination.host}`);
        } else if (r.destination.subset && !(dr.spec.subsets ?? []).some((s: any) => s.name === r.destination.subset)) {
          out.push(`VirtualService ${vs.metadata.name}: subset ${r.destination.subset} is not defined by DestinationRule ${dr.metadata.name}`);
        }
      }
    }
  }
  // An autoscaler scales a Deployment of the set, which leaves its replicas to it.
  for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef;
    const target = deployments.find(d => ref.kind === 'Deployment' && d.metadata.name === ref.name && d.metadata.namespace === hpa.metadata.namespace);
    if (!target) {
      out.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: target ${ref.kind}/${ref.name} is not in the set`);
    } else if (target.spec.replicas !== undefined) {
      out.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: Deployment ${target.metadata.name} pins replicas ${target.spec.replicas}`);
    }
    if ((hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) out.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: minReplicas above maxReplicas`);
  }
  const autoscaled = (d: Manifest) => ofKind(manifests, 'HorizontalPodAutoscaler')
    .some(h => h.spec.scaleTargetRef.name === d.metadata.name && h.metadata.namespace === d.metadata.namespace);

  // A disruption budget covers the pods of exactly one Deployment, which has pods, and never blocks drains for good.
  for (const pdb of ofKind(manifests, 'PodDisruptionBudget')) {
    const covered = deployments.filter(d => d.metadata.namespace === pdb.metadata.namespace && selects(pdb.spec.selector?.matchLabels, podLabels(d)));
    if (covered.length !== 1) {
      out.push(`PodDisruptionBudget ${pdb.metadata.name}: selects the pods of ${covered.length} Deployments`);
      continue;
    }
    const d = covered[0];
    if (!autoscaled(d) && d.spec.replicas === 0) out.push(`PodDisruptionBudget ${pdb.metadata.name}: Deployment ${d.metadata.name} has no pods`);
    if (!autoscaled(d) && pdb.spec.minAvailable !== undefined && pdb.spec.minAvailable >= (d.spec.replicas ?? 1)) {
      out.push(`PodDisruptionBudget ${pdb.metadata.name}: minAvailable ${pdb.spec.minAvailable} blocks every drain of ${d.spec.replicas ?? 1} pods`);
    }
  }

  // A workload's PeerAuthentication applies to the pods of every version alike.
  for (const pa of ofKind(manifests, 'PeerAuthentication')) {
    const covered = deployments.filter(d => d.metadata.namespace === pa.metadata.namespace && selects(pa.spec.selector?.matchLabels, podLabels(d)));
    if (covered.length !== deployments.length) out.push(`PeerAuthentication ${pa.metadata.name}: selects ${covered.length} of ${deployments.length} Deployments`);
  }
  return out;
}
