import { Manifest, ofKind, selects } from './manifests';

/**
 * The rules that make a canary manifest set work in Istio, checked across objects. Returns the violations
 * (empty when the set is coherent), so tests can also prove each rule bites on a broken set.
 *
 * `externalGateways` (`<namespace>/<name>`) are Gateways that routes may attach to without being in the set.
 */
export function coherenceViolations(manifests: Manifest[], clusterDomain = 'cluster.local', externalGateways: string[] = []): string[] {
  const out: string[] = [];
  const deployments = ofKind(manifests, 'Deployment');
  const services = ofKind(manifests, 'Service');
  const rules = ofKind(manifests, 'DestinationRule');
  const virtualServices = ofKind(manifests, 'VirtualService');
  // Istio and Gateway API both have a kind Gateway.
  const gateways = ofKind(manifests, 'Gateway').filter(g => g.apiVersion.startsWith('networking.istio.io/'));
  const apiGateways = ofKind(manifests, 'Gateway').filter(g => g.apiVersion.startsWith('gateway.networking.k8s.io/'));
  const httpRoutes = ofKind(manifests, 'HTTPRoute');
  // Gateway API backends: Services that must select exactly one version's pods.
  const backendNames = new Set(httpRoutes.flatMap(r => (r.spec.rules ?? []).flatMap((rule: any) => [
    ...(rule.backendRefs ?? []).map((b: any) => b.name),
    ...(rule.filters ?? []).filter((f: any) => f.requestMirror).map((f: any) => f.requestMirror.backendRef.name),
  ])));
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
    if (backendNames.has(svc.metadata.name)) {
      if (selected.length !== 1) out.push(`Service ${svc.metadata.name}: a route backend, selects the pods of ${selected.length} Deployments`);
    } else if (selected.length !== deployments.length) {
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
      if (!gateways.some(g => g.metadata.name === name && g.metadata.namespace === ns) && !externalGateways.includes(`${ns}/${name}`)) {
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

  for (const route of httpRoutes) {
    const ns = route.metadata.namespace;
    const where = `HTTPRoute ${route.metadata.name}`;
    for (const parent of route.spec.parentRefs ?? []) {
      const parentNs = parent.namespace ?? ns;
      if (parent.kind === 'Service' && parent.group === '') {
        const svc = services.find(s => s.metadata.name === parent.name && s.metadata.namespace === parentNs);
        if (!svc) {
          out.push(`${where}: parent Service ${parent.name} is not in the set`);
        } else if (parent.port !== undefined && !svc.spec.ports.some((p: any) => p.port === parent.port)) {
          out.push(`${where}: parent Service ${parent.name} has no port ${parent.port}`);
        }
      } else if ((parent.kind ?? 'Gateway') === 'Gateway' && (parent.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io') {
        const gw = apiGateways.find(g => g.metadata.name === parent.name && g.metadata.namespace === parentNs);
        if (!gw && !externalGateways.includes(`${parentNs}/${parent.name}`)) {
          out.push(`${where}: parent Gateway ${parentNs}/${parent.name} is not in the set`);
        } else if (gw && parent.sectionName && !gw.spec.listeners.some((l: any) => l.name === parent.sectionName)) {
          out.push(`${where}: parent Gateway ${parent.name} has no listener ${parent.sectionName}`);
        }
      } else {
        out.push(`${where}: parent ${parent.group}/${parent.kind} ${parent.name} is neither a Service nor a Gateway`);
      }
    }
    for (const rule of route.spec.rules ?? []) {
      const refs = rule.backendRefs ?? [];
      const mirrors = (rule.filters ?? []).filter((f: any) => f.requestMirror).map((f: any) => f.requestMirror.backendRef);
      for (const ref of [...refs, ...mirrors]) {
        const svc = services.find(s => s.metadata.name === ref.name && s.metadata.namespace === (ref.namespace ?? ns));
        if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '' || !svc) {
          out.push(`${where}: rule ${rule.name} backend ${ref.name} is no Service of the set`);
        } else if (!svc.spec.ports.some((p: any) => p.port === ref.port)) {
          out.push(`${where}: rule ${rule.name} backend ${ref.name} has no port ${ref.port}`);
        }
      }
      if (refs.length > 1) {
        const total = refs.reduce((sum: number, r: any) => sum + (r.weight ?? 1), 0);
        if (total !== 100) out.push(`${where}: rule ${rule.name} weights sum to ${total}`);
      }
    }
  }
  return out;
}
