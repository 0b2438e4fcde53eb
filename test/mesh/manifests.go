// Package mesh verifies the synthesized manifests with Istio's own validation, analysis and config generation,
// and drives real traffic through Envoy with the configuration Istio generates for them.
package mesh

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Obj is one Kubernetes object as decoded from YAML.
type Obj = map[string]any

// Objects is an ordered list of manifest objects; tests mutate copies of it.
type Objects []Obj

// manifestsDir is the directory of the synthesized example outputs (relative to this package).
const manifestsDir = "../../manifests"

// exampleNames lists every synthesized example (manifests/<name>.k8s.yaml).
func exampleNames() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "*.k8s.yaml"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".k8s.yaml"))
	}
	sort.Strings(names)
	return names, nil
}

func manifestPath(example string) string {
	return filepath.Join(manifestsDir, example+".k8s.yaml")
}

// loadExample reads manifests/<example>.k8s.yaml.
func loadExample(example string) (Objects, error) {
	b, err := os.ReadFile(manifestPath(example))
	if err != nil {
		return nil, err
	}
	return parseYAML(b)
}

func parseYAML(b []byte) (Objects, error) {
	var out Objects
	for _, doc := range splitDocs(string(b)) {
		var o Obj
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("decoding %q: %v", doc, err)
		}
		if len(o) > 0 {
			out = append(out, o)
		}
	}
	return out, nil
}

func splitDocs(s string) []string {
	var docs []string
	for _, d := range strings.Split("\n"+s, "\n---") {
		if strings.TrimSpace(d) != "" {
			docs = append(docs, d)
		}
	}
	return docs
}

// YAML renders the objects as one multi-document YAML stream.
func (os Objects) YAML() string {
	var buf bytes.Buffer
	for _, o := range os {
		b, err := yaml.Marshal(o)
		if err != nil {
			panic(err)
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	return buf.String()
}

// Clone deep-copies the objects (through YAML) so a mutation never leaks into another case.
func (os Objects) Clone() Objects {
	c, err := parseYAML([]byte(os.YAML()))
	if err != nil {
		panic(err)
	}
	return c
}

// Find returns the objects of a kind, optionally also matching a name.
func (os Objects) Find(kind, name string) []Obj {
	var out []Obj
	for _, o := range os {
		if o["kind"] == kind && (name == "" || meta(o, "name") == name) {
			out = append(out, o)
		}
	}
	return out
}

// One returns the single object of a kind whose name matches (or the only one of its kind when name is "").
func (os Objects) One(kind, name string) Obj {
	found := os.Find(kind, name)
	if len(found) != 1 {
		panic(fmt.Sprintf("want exactly one %s %q, found %d", kind, name, len(found)))
	}
	return found[0]
}

func meta(o Obj, field string) string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m[field].(string)
	return s
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// path walks nested maps/lists: path(o, "spec", "http", 0, "route").
func path(o any, keys ...any) any {
	cur := o
	for _, k := range keys {
		switch key := k.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[key]
		case int:
			l, ok := cur.([]any)
			if !ok || key >= len(l) {
				return nil
			}
			cur = l[key]
		}
	}
	return cur
}

func mapAt(o any, keys ...any) map[string]any {
	m, _ := path(o, keys...).(map[string]any)
	return m
}

func listAt(o any, keys ...any) []any {
	l, _ := path(o, keys...).([]any)
	return l
}

// Pod is a workload derived from a Deployment's pod template.
type Pod struct {
	Name, Namespace string
	Labels          map[string]string
	IP              string
	Version         string // the subset the pod belongs to (its DestinationRule subset name), if any
	Obj             Obj
}

// injectedNamespaces returns the namespaces whose labels enrol them for sidecar injection.
func (os Objects) injectedNamespaces() map[string]bool {
	out := map[string]bool{}
	for _, ns := range os.Find("Namespace", "") {
		l := stringMap(mapAt(ns, "metadata", "labels"))
		if l["istio-injection"] == "enabled" || (l["istio.io/rev"] != "" && l["istio-injection"] == "") {
			out[meta(ns, "name")] = true
		}
	}
	return out
}

// DerivePods builds the Pods a ReplicaSet would create from each Deployment's template: labels and containers
// from the template, one pod per replica, each with its own loopback IP taken from ips (in order). In a namespace
// enrolled for injection the pod also carries what the injector adds (an istio-proxy container and the
// sidecar status annotation), as the running pods would.
func (os Objects) DerivePods(ips func(i int) string) []Pod {
	injected := os.injectedNamespaces()
	var pods []Pod
	n := 0
	for _, d := range os.Find("Deployment", "") {
		replicas := 1
		if r, ok := path(d, "spec", "replicas").(float64); ok {
			replicas = int(r)
		}
		ns := meta(d, "namespace")
		tmplMeta := mapAt(d, "spec", "template", "metadata")
		tmplSpec := mapAt(d, "spec", "template", "spec")
		for i := 0; i < replicas; i++ {
			ip := ips(n)
			n++
			name := fmt.Sprintf("%s-%d", meta(d, "name"), i)
			labels := stringMap(tmplMeta["labels"])
			spec := Objects{{"spec": tmplSpec}}.Clone()[0]["spec"].(map[string]any)
			annotations := map[string]any{}
			for k, v := range stringMap(tmplMeta["annotations"]) {
				annotations[k] = v
			}
			if injected[ns] {
				containers := spec["containers"].([]any)
				spec["containers"] = append(containers, map[string]any{
					"name":  "istio-proxy",
					"image": "proxyv2",
					"ports": []any{map[string]any{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}},
				})
				annotations["sidecar.istio.io/status"] = `{"containers":["istio-proxy"]}`
				labels["security.istio.io/tlsMode"] = "istio"
			}
			lbl := map[string]any{}
			for k, v := range labels {
				lbl[k] = v
			}
			obj := Obj{
				"apiVersion": "v1",
				"kind":       "Pod",
				"metadata": map[string]any{
					"name": name, "namespace": ns, "labels": lbl, "annotations": annotations,
				},
				"spec": spec,
				"status": map[string]any{
					"phase":  "Running",
					"podIP":  ip,
					"podIPs": []any{map[string]any{"ip": ip}},
					"conditions": []any{
						map[string]any{"type": "Ready", "status": "True"},
					},
				},
			}
			pods = append(pods, Pod{Name: name, Namespace: ns, Labels: labels, IP: ip, Obj: obj})
		}
	}
	return pods
}

// IngressGateway returns the objects of a minimal istio-system ingress gateway: the namespace, one pod labelled
// istio=ingressgateway (with the given IP) and its Service exposing port 80 as http2.
func IngressGateway(ip string) Objects {
	return Objects{
		{
			"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": "istio-system"},
		},
		{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{
				"name": "istio-ingressgateway-0", "namespace": "istio-system",
				"labels": map[string]any{"istio": "ingressgateway", "app": "istio-ingressgateway"},
			},
			"spec": map[string]any{
				"containers": []any{map[string]any{"name": "istio-proxy", "image": "proxyv2"}},
			},
			"status": map[string]any{
				"phase": "Running", "podIP": ip, "podIPs": []any{map[string]any{"ip": ip}},
				"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
			},
		},
		{
			"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{
				"name": "istio-ingressgateway", "namespace": "istio-system",
				"labels": map[string]any{"istio": "ingressgateway"},
			},
			"spec": map[string]any{
				"selector": map[string]any{"istio": "ingressgateway"},
				"ports": []any{
					map[string]any{"name": "http2", "port": 80, "targetPort": 80, "protocol": "TCP"},
				},
			},
		},
	}
}

// PodObjects returns the pods as objects.
func PodObjects(pods []Pod) Objects {
	var out Objects
	for _, p := range pods {
		out = append(out, p.Obj)
	}
	return out
}

// loopbackIP gives pod i the address 127.0.0.(11+i).
func loopbackIP(i int) string {
	return fmt.Sprintf("127.0.0.%d", 11+i)
}

// selects reports whether a label selector (all pairs must match) selects labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// EndpointSlices derives, for each Service, the EndpointSlice the endpoint-slice controller would publish: one
// ready endpoint per selected pod, with the Service's target ports.
func EndpointSlices(services Objects, pods []Pod) Objects {
	var out Objects
	for _, svc := range services {
		selector := stringMap(mapAt(svc, "spec", "selector"))
		var endpoints []any
		for _, p := range pods {
			if p.Namespace != meta(svc, "namespace") || !selects(selector, p.Labels) {
				continue
			}
			endpoints = append(endpoints, map[string]any{
				"addresses":  []any{p.IP},
				"conditions": map[string]any{"ready": true},
				"targetRef":  map[string]any{"kind": "Pod", "name": p.Name, "namespace": p.Namespace},
			})
		}
		var ports []any
		for _, sp := range listAt(svc, "spec", "ports") {
			port := sp.(map[string]any)
			target := port["targetPort"]
			if target == nil {
				target = port["port"]
			}
			ep := map[string]any{"port": target, "protocol": "TCP"}
			if n, ok := port["name"]; ok {
				ep["name"] = n
			}
			ports = append(ports, ep)
		}
		out = append(out, Obj{
			"apiVersion":  "discovery.k8s.io/v1",
			"kind":        "EndpointSlice",
			"addressType": "IPv4",
			"metadata": map[string]any{
				"name": meta(svc, "name") + "-slice", "namespace": meta(svc, "namespace"),
				"labels": map[string]any{"kubernetes.io/service-name": meta(svc, "name")},
			},
			"endpoints": endpoints,
			"ports":     ports,
		})
	}
	return out
}

// isIstioConfig reports whether an object is an Istio custom resource (as opposed to a Kubernetes built-in).
func isIstioConfig(o Obj) bool {
	av, _ := o["apiVersion"].(string)
	return strings.Contains(av, "istio.io/")
}

// Split separates Kubernetes objects from Istio configuration.
func (os Objects) Split() (kube, istio Objects) {
	for _, o := range os {
		if isIstioConfig(o) {
			istio = append(istio, o)
		} else {
			kube = append(kube, o)
		}
	}
	return kube, istio
}

// istioClassGateways returns the Gateway API Gateways of class istio: Istio deploys a gateway for each of them.
func (os Objects) istioClassGateways() []Obj {
	var out []Obj
	for _, gw := range os.Find("Gateway", "") {
		if strings.HasPrefix(gw["apiVersion"].(string), "gateway.networking.k8s.io/") &&
			path(gw, "spec", "gatewayClassName") == "istio" {
			out = append(out, gw)
		}
	}
	return out
}

// GatewayDeployment returns what Istio's gateway deployment controller runs for a Gateway of class istio: the
// Service <name>-istio selecting pods labelled gateway.networking.k8s.io/gateway-name=<name> with the Gateway's
// listener ports, and the pod of its Deployment (one replica, at ip).
func GatewayDeployment(gw Obj, ip string) (Obj, Pod) {
	name, ns := meta(gw, "name"), meta(gw, "namespace")
	labels := map[string]string{"gateway.networking.k8s.io/gateway-name": name, "istio.io/gateway-name": name}
	var ports []any
	for _, l := range listAt(gw, "spec", "listeners") {
		port := l.(map[string]any)["port"]
		ports = append(ports, map[string]any{
			"name": fmt.Sprintf("%s-%v", l.(map[string]any)["name"], port), "port": port, "targetPort": port,
			"protocol": "TCP", "appProtocol": "http",
		})
	}
	svc := Obj{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name + "-istio", "namespace": ns},
		"spec": map[string]any{
			"selector": map[string]any{"gateway.networking.k8s.io/gateway-name": name},
			"ports":    ports,
		},
	}
	lbl := map[string]any{}
	for k, v := range labels {
		lbl[k] = v
	}
	podName := name + "-istio-0"
	pod := Obj{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": podName, "namespace": ns, "labels": lbl},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "istio-proxy", "image": "proxyv2"}}},
		"status": map[string]any{
			"phase": "Running", "podIP": ip, "podIPs": []any{map[string]any{"ip": ip}},
			"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
		},
	}
	return svc, Pod{Name: podName, Namespace: ns, Labels: labels, IP: ip, Obj: pod}
}

// SidecarEnrolled returns a copy of the objects with every Namespace enrolled for sidecar injection instead of
// ambient mode (its istio.io/dataplane-mode and istio.io/use-waypoint labels removed).
func (os Objects) SidecarEnrolled() Objects {
	c := os.Clone()
	for _, ns := range c.Find("Namespace", "") {
		labels := mapAt(ns, "metadata", "labels")
		if labels == nil {
			labels = map[string]any{}
			mapAt(ns, "metadata")["labels"] = labels
		}
		delete(labels, "istio.io/dataplane-mode")
		delete(labels, "istio.io/use-waypoint")
		labels["istio-injection"] = "enabled"
	}
	return c
}

// GatewayAPIDefaults applies, to copies of the Gateway API objects, the defaults that the Gateway API CRDs'
// schemas declare and the API server fills in on admission (Istio's controller reads admitted objects): an
// HTTPRoute rule's matches default to one PathPrefix "/" match, a match's path to PathPrefix "/", a header match's
// type to Exact, a backendRef's group/kind/weight to ""/Service/1, a parentRef's group/kind to the Gateway kind,
// and a Gateway listener's allowedRoutes to routes from the same namespace.
func (os Objects) GatewayAPIDefaults() Objects {
	c := os.Clone()
	setDefault := func(m map[string]any, k string, v any) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	prefixRoot := func() map[string]any { return map[string]any{"type": "PathPrefix", "value": "/"} }
	for _, o := range c {
		if !strings.HasPrefix(fmt.Sprint(o["apiVersion"]), "gateway.networking.k8s.io/") {
			continue
		}
		switch o["kind"] {
		case "HTTPRoute":
			for _, pr := range listAt(o, "spec", "parentRefs") {
				setDefault(pr.(map[string]any), "group", "gateway.networking.k8s.io")
				setDefault(pr.(map[string]any), "kind", "Gateway")
			}
			for _, r := range listAt(o, "spec", "rules") {
				rule := r.(map[string]any)
				setDefault(rule, "matches", []any{map[string]any{"path": prefixRoot()}})
				for _, m := range rule["matches"].([]any) {
					match := m.(map[string]any)
					setDefault(match, "path", prefixRoot())
					for _, h := range listAt(match, "headers") {
						setDefault(h.(map[string]any), "type", "Exact")
					}
				}
				for _, b := range listAt(rule, "backendRefs") {
					setDefault(b.(map[string]any), "group", "")
					setDefault(b.(map[string]any), "kind", "Service")
					setDefault(b.(map[string]any), "weight", 1)
				}
			}
		case "Gateway":
			for _, l := range listAt(o, "spec", "listeners") {
				setDefault(l.(map[string]any), "allowedRoutes", map[string]any{
					"namespaces": map[string]any{"from": "Same"},
				})
			}
		}
	}
	return c
}
