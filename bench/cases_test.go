package bench

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// The embedded table must be the peer benchmark's own.
func TestCasesMatchSharedTable(t *testing.T) {
	path := filepath.Join(testenv.Shared(t), "bench", "cases.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := ParseCases(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	emb := Cases()
	if len(shared) != len(emb) {
		t.Fatalf("bench/cases.json has %d cases, %s has %d", len(emb), path, len(shared))
	}
	for i := range shared {
		if !reflect.DeepEqual(shared[i], emb[i]) {
			t.Errorf("case %d: embedded %+v, shared %+v", i, emb[i], shared[i])
		}
	}
}

// The nominal work of every case follows the definitions of
// shared/bench/README.md, recomputed here from the shapes.
func TestCaseWorkDefinitions(t *testing.T) {
	for _, c := range Cases() {
		var want float64
		switch c.Kind {
		case "gemm":
			want = 2 * float64(c.M) * float64(c.N) * float64(c.K)
		case "conv2d", "conv3d":
			kd := 1.0
			for range c.Spatial {
				kd *= float64(c.Kernel)
			}
			// stride 1, pad (k-1)/2: output spatial = input spatial.
			want = 2 * float64(c.N*c.Cout*c.Cin) * kd * float64(prod(c.Spatial))
			if strings.HasSuffix(c.Name, "_fwdbwd") {
				want *= 3
			}
		case "mem":
			s := float64(prod(c.Shape))
			op, _, _ := strings.Cut(c.Name, "_")
			fwd, bwd := 4*2*s, 4*3*s
			if strings.HasPrefix(op, "maxpool") {
				so := s / 4
				if op == "maxpool3d" {
					so = s / 8
				}
				fwd, bwd = 4*(s+so), 4*(so+s)
			}
			want = fwd
			if strings.HasSuffix(c.Name, "_fwdbwd") {
				want += bwd
			}
			if c.Bytes != want {
				t.Errorf("%s: bytes = %v, want %v", c.Name, c.Bytes, want)
			}
			continue
		case "model":
			if c.Flops <= 0 {
				t.Errorf("%s: model case without flops", c.Name)
			}
			continue
		default:
			t.Errorf("%s: unknown kind %q", c.Name, c.Kind)
			continue
		}
		if c.Flops != want {
			t.Errorf("%s: flops = %v, want %v", c.Name, c.Flops, want)
		}
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		filter string
		want   int
	}{
		{"", len(Cases())},
		{"^gemm_", 3},
		{"^conv2d_.*_fwd$", 5},
		{"^conv3d", 8},
		{"nomatch", 0},
	}
	for _, tc := range tests {
		cs, err := Select(tc.filter)
		if err != nil {
			t.Fatalf("Select(%q): %v", tc.filter, err)
		}
		if len(cs) != tc.want {
			t.Errorf("Select(%q) gave %d cases, want %d", tc.filter, len(cs), tc.want)
		}
	}
	if _, err := Select("("); err == nil || !strings.Contains(err.Error(), "filter") {
		t.Errorf("Select with a bad regexp: err = %v, want an error naming the filter", err)
	}
}

func TestParseCasesRejectsBadTables(t *testing.T) {
	for _, in := range []string{`{`, `[{"kind": "gemm"}]`, `[{"case": "x"}]`, `[{"case": 3}]`} {
		if _, err := ParseCases([]byte(in)); err == nil {
			t.Errorf("ParseCases(%s) succeeded, want an error", in)
		}
	}
}
