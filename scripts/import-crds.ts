/**
 * Regenerates imports/ from the Istio CRDs of one pinned release (ISTIO_VERSION, set by the projen `import` task)
 * and the standard-channel Kubernetes Gateway API CRDs of another (GATEWAY_API_VERSION, set by the same task).
 *
 * Source of the CRDs, first that applies:
 *   1. ISTIO_CRDS=<file or URL>: an explicit copy of customresourcedefinitions.gen.yaml;
 *   2. the Go module istio.io/api@v<ISTIO_VERSION> (kubernetes/customresourcedefinitions.gen.yaml), when `go` is installed;
 *   3. the same file from the istio/api repository at tag <ISTIO_VERSION>.
 *
 * Source of the Gateway API CRDs, first that applies:
 *   1. GATEWAY_API_CRDS=<file or URL>: an explicit copy of standard-install.yaml;
 *   2. the release asset standard-install.yaml of kubernetes-sigs/gateway-api at tag <GATEWAY_API_VERSION>.
 *
 * Only the kinds the library synthesizes are imported, and only their `v1` version, so the generated classes
 * emit networking.istio.io/v1, security.istio.io/v1 and gateway.networking.k8s.io/v1 and carry no duplicate
 * v1beta1/v1alpha3 twins.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments, stringify } from 'yaml';

const WANTED: Record<string, string> = {
  'gateways.networking.istio.io': 'v1',
  'virtualservices.networking.istio.io': 'v1',
  'destinationrules.networking.istio.io': 'v1',
  'peerauthentications.security.istio.io': 'v1',
};

const WANTED_GATEWAY_API: Record<string, string> = {
  'gateways.gateway.networking.k8s.io': 'v1',
  'httproutes.gateway.networking.k8s.io': 'v1',
};

async function loadGatewayApiCrds(version: string): Promise<string> {
  const explicit = process.env.GATEWAY_API_CRDS;
  if (explicit) {
    return explicit.startsWith('https://') ? fetchText(explicit) : readFileSync(explicit, 'utf-8');
  }
  return fetchText(`https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`);
}

/** The wanted CRDs of one release, each reduced to the one version the library emits. */
function select(yamlText: string, wanted: Record<string, string>, release: string): any[] {
  const docs = parseAllDocuments(yamlText).map(d => d.toJS()).filter(d => d?.kind === 'CustomResourceDefinition');
  const selected = [];
  for (const [name, served] of Object.entries(wanted)) {
    const crd = docs.find(d => d.metadata.name === name);
    if (!crd) throw new Error(`CRD ${name} not found in ${release}`);
    const v = crd.spec.versions.find((x: any) => x.name === served);
    if (!v) throw new Error(`CRD ${name} has no version ${served} in ${release}`);
    crd.spec.versions = [{ ...v, served: true, storage: true }];
    selected.push(crd);
  }
  return selected;
}

async function loadCrds(version: string): Promise<string> {
  const explicit = process.env.ISTIO_CRDS;
  if (explicit) {
    return explicit.startsWith('https://') ? fetchText(explicit) : readFileSync(explicit, 'utf-8');
  }
  try {
    const out = execFileSync('go', ['mod', 'download', '-json', `istio.io/api@v${version}`], {
      cwd: tmpdir(), encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'],
    });
    return readFileSync(join(JSON.parse(out).Dir, 'kubernetes', 'customresourcedefinitions.gen.yaml'), 'utf-8');
  } catch (e) {
    console.error(`go module istio.io/api@v${version} unavailable (${(e as Error).message.split('\n')[0]}), trying the istio/api repository`);
  }
  return fetchText(`https://raw.githubusercontent.com/istio/api/${version}/kubernetes/customresourcedefinitions.gen.yaml`);
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

async function main() {
  const version = process.env.ISTIO_VERSION;
  if (!version) throw new Error('ISTIO_VERSION is not set (run `npx projen import`)');

  const gatewayApiVersion = process.env.GATEWAY_API_VERSION;
  if (!gatewayApiVersion) throw new Error('GATEWAY_API_VERSION is not set (run `npx projen import`)');

  const selected = [
    ...select(await loadCrds(version), WANTED, `Istio ${version}`),
    ...select(await loadGatewayApiCrds(gatewayApiVersion), WANTED_GATEWAY_API, `Gateway API ${gatewayApiVersion}`),
  ];

  const dir = mkdtempSync(join(tmpdir(), 'istio-crds-'));
  const file = join(dir, `istio-${version}-gateway-api-${gatewayApiVersion}-crds.yaml`);
  writeFileSync(file, selected.map(d => stringify(d)).join('---\n'));
  execFileSync('cdk8s', ['import', file, '--language', 'typescript', '--output', 'imports', '--no-save'], { stdio: 'inherit' });
  console.log(`imports/ regenerated from Istio ${version} and Gateway API ${gatewayApiVersion}: ${[...Object.keys(WANTED), ...Object.keys(WANTED_GATEWAY_API)].join(', ')}`);
}

main().catch(e => {
  console.error(e.message);
  process.exit(1);
});
