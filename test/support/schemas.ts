import { Manifest } from './manifests';

type Model = new (data: any) => { validate(): void };

// The upstream schemas: kubernetes-models (Kubernetes OpenAPI), @kubernetes-models/istio (Istio's CRD schemas) and
// @kubernetes-models/gateway-api (Gateway API's CRD schemas).
// Both are ESM-only, hence import(); jest runs with --experimental-vm-modules for it.
const MODELS: Record<string, () => Promise<Model>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': async () => (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'networking.istio.io/v1/Gateway': async () => (await import('@kubernetes-models/istio/networking.istio.io/v1/Gateway')).Gateway,
  'networking.istio.io/v1/VirtualService': async () => (await import('@kubernetes-models/istio/networking.istio.io/v1/VirtualService')).VirtualService,
  'networking.istio.io/v1/DestinationRule': async () => (await import('@kubernetes-models/istio/networking.istio.io/v1/DestinationRule')).DestinationRule,
  'gateway.networking.k8s.io/v1/Gateway': async () => (await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway')).Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': async () => (await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute')).HTTPRoute,
  'security.istio.io/v1/PeerAuthentication': async () => (await import('@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication')).PeerAuthentication,
};

/**
 * Validates every object against its upstream schema; throws naming the object and the schema error.
 * A kind without a known schema is an error too, so no object escapes validation.
 */
export async function validateAgainstUpstreamSchemas(manifests: Manifest[]): Promise<void> {
  for (const m of manifests) {
    const key = `${m.apiVersion}/${m.kind}`;
    const load = MODELS[key];
    if (!load) throw new Error(`no upstream schema registered for ${key} (${m.metadata.name})`);
    const Model = await load();
    try {
      new Model(m).validate();
    } catch (e) {
      throw new Error(`${key} ${m.metadata.name} fails its upstream schema: ${(e as Error).message}`);
    }
  }
}
