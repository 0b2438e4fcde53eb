package mesh

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"istio.io/istio/istioctl/pkg/cli"
	"istio.io/istio/istioctl/pkg/validate"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/analysis/msg"
	"istio.io/istio/pkg/config/resource"
)

// analysisInput is what `istioctl analyze --use-kube=false` is given: the synthesized manifests, plus the running
// objects a cluster would have: the Pods derived from the Deployments and an ingress gateway in istio-system.
func analysisInput(objs Objects) Objects {
	in := objs.Clone()
	in = append(in, PodObjects(objs.DerivePods(loopbackIP))...)
	in = append(in, IngressGateway("127.0.0.10")...)
	return in
}

// analyze runs every Istio analyzer over the objects, across all namespaces, as istioctl analyze -A does for files.
// The objects go in as a test source so that Pods and Namespaces are analysed too (a plain file source drops them).
func analyze(t *testing.T, objs Objects) diag.Messages {
	t.Helper()
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), resource.Namespace(""), resource.Namespace("istio-system"), nil)
	err := sa.AddTestReaderKubeSource([]local.ReaderSource{{Name: "input.yaml", Reader: strings.NewReader(objs.YAML())}})
	if err != nil {
		t.Fatalf("loading objects into the analyzer: %v", err)
	}
	cancel := make(chan struct{})
	res, err := sa.Analyze(cancel)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	msgs := res.Messages
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].String() < msgs[j].String() })
	for _, m := range msgs {
		t.Logf("analyze: %s", m.String())
	}
	return msgs
}

// istioctlValidate runs `istioctl validate -f <file>` (Istio's own command) and returns its output and error.
func istioctlValidate(t *testing.T, objs Objects) (string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "input.yaml")
	if err := os.WriteFile(f, []byte(objs.YAML()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := cli.NewFakeContext(&cli.NewFakeContextOption{IstioNamespace: "istio-system"})
	cmd := validate.NewValidateCommand(ctx)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"-f", f})
	err := cmd.Execute()
	t.Logf("istioctl validate: %s (err: %v)", strings.TrimSpace(out.String()), err)
	return out.String(), err
}

func codes(msgs diag.Messages) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Type.Code())
	}
	return out
}

// forEachExample runs check on every synthesized example in manifests/, as a subtest named after it.
func forEachExample(t *testing.T, check func(t *testing.T, objs Objects)) {
	names, err := exampleNames()
	if err != nil || len(names) == 0 {
		t.Fatalf("no examples in %s: %v", manifestsDir, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			objs, err := loadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			check(t, objs)
		})
	}
}

// TestValidateExamples: every synthesized example passes istioctl validate without errors, warnings or advisories.
func TestValidateExamples(t *testing.T) {
	forEachExample(t, func(t *testing.T, objs Objects) {
		out, err := istioctlValidate(t, objs)
		if err != nil {
			t.Errorf("istioctl validate failed: %v", err)
		}
		// istioctl validate prints "<file> is valid", or "<file> has warnings: ..." for validation warnings. It also
		// prints advisories that do not change its verdict, such as Deployments whose pods give Istio no canonical
		// service and revision for telemetry: the construct sets those labels, so any of it fails here.
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasSuffix(line, " is valid") {
				t.Errorf("istioctl validate: unexpected output (warning or advisory): %s", line)
			}
		}
		if !strings.Contains(out, " is valid") {
			t.Errorf("istioctl validate did not report the file valid: %s", out)
		}
	})
}

// TestAnalyzeExamples: every synthesized example, with its workloads and an ingress gateway, passes istioctl
// analyze with no error and no warning (informational messages are logged).
func TestAnalyzeExamples(t *testing.T) {
	forEachExample(t, func(t *testing.T, objs Objects) {
		msgs := analyze(t, analysisInput(objs))
		if bad := msgs.FilterOutLowerThan(diag.Warning); len(bad) > 0 {
			t.Errorf("istioctl analyze found %d error(s)/warning(s): %v", len(bad), bad)
		}
	})
}

// negativeCase breaks the synthesized seed manifests in one way and names the message Istio must raise for it.
type negativeCase struct {
	name     string
	mutate   func(Objects) Objects // applied to a copy of the seed example's manifests
	want     *diag.MessageType
	validate string // when set, istioctl validate must fail with an error containing this text
}

var negativeCases = []negativeCase{
	{
		name: "VirtualService subset missing from the DestinationRule",
		mutate: func(o Objects) Objects {
			dr := o.One("DestinationRule", "")
			subsets := listAt(dr, "spec", "subsets")
			mapAt(dr, "spec")["subsets"] = subsets[:1] // drop v2; both VirtualServices still route to it
			return o
		},
		want: msg.ReferencedResourceNotFound,
	},
	{
		name: "DestinationRule subset selecting no pods",
		mutate: func(o Objects) Objects {
			dr := o.One("DestinationRule", "")
			subset := mapAt(dr, "spec", "subsets", 1)
			labels := mapAt(subset, "labels")
			for k := range labels {
				labels[k] = "no-such-version"
			}
			return o
		},
		want: msg.DestinationRuleSubsetNotSelectPods,
	},
	{
		name: "Gateway selector matching no pods",
		mutate: func(o Objects) Objects {
			mapAt(o.One("Gateway", ""), "spec")["selector"] = map[string]any{"istio": "no-such-gateway"}
			return o
		},
		want: msg.ReferencedResourceNotFound,
	},
	{
		name: "unnamed Service port",
		mutate: func(o Objects) Objects {
			delete(mapAt(o.One("Service", ""), "spec", "ports", 0), "name")
			return o
		},
		want:     msg.PortNameIsNotUnderNamingConvention,
		validate: "unnamed port",
	},
}

// TestAnalyzeNegative proves the checks bite: each mutation of the seed manifests is flagged with its IST code.
func TestAnalyzeNegative(t *testing.T) {
	seed, err := loadExample("seed")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range negativeCases {
		t.Run(tc.name, func(t *testing.T) {
			objs := tc.mutate(seed.Clone())
			msgs := analyze(t, analysisInput(objs))
			found := false
			for _, m := range msgs {
				if m.Type.Code() == tc.want.Code() {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s (%s), got %v", tc.want.Code(), tc.want.Template(), codes(msgs))
			}
			if tc.validate != "" {
				out, err := istioctlValidate(t, objs)
				if err == nil || !strings.Contains(err.Error()+out, tc.validate) {
					t.Errorf("istioctl validate: want an error containing %q, got %v (%s)", tc.validate, err, out)
				}
			}
		})
	}
}
