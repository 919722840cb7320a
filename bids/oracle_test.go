package bids

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// TestOracle checks every dataset and image of bids-oracle.json (made by
// the stdlib-only walker make_bids_oracle.py) against Index and Report.
// It runs unchanged on the held-out data set (IVADOGO_SHARED).
func TestOracle(t *testing.T) {
	root := testenv.SharedData(t)
	checkOracle(t, root, filepath.Join(root, "bids-oracle.json"))
}

// TestOracleTricky runs the same check on small datasets made to bend the
// layout (testdata/make_tricky.py runs the oracle's walker over them).
func TestOracleTricky(t *testing.T) {
	checkOracle(t, filepath.Join("testdata", "tricky"), filepath.Join("testdata", "tricky-oracle.json"))
}

func checkOracle(t *testing.T, root, oraclePath string) {
	b, err := os.ReadFile(oraclePath)
	if err != nil {
		t.Fatal(err)
	}
	var oracle struct {
		Count    int              `json:"count"`
		Datasets []map[string]any `json:"datasets"`
	}
	if err := json.Unmarshal(b, &oracle); err != nil {
		t.Fatal(err)
	}
	if len(oracle.Datasets) != oracle.Count || oracle.Count == 0 {
		t.Fatalf("oracle lists %d datasets, count says %d", len(oracle.Datasets), oracle.Count)
	}

	found, err := FindDatasets(root)
	if err != nil {
		t.Fatal(err)
	}
	var foundRel, want []string
	for _, f := range found {
		r, _ := filepath.Rel(root, f)
		foundRel = append(foundRel, filepath.ToSlash(r))
	}
	for _, ds := range oracle.Datasets {
		want = append(want, ds["path"].(string))
	}
	if !reflect.DeepEqual(foundRel, want) {
		t.Errorf("FindDatasets:\n got %q\nwant %q", foundRel, want)
	}

	for _, want := range oracle.Datasets {
		rel := want["path"].(string)
		t.Run(rel, func(t *testing.T) {
			d, err := Index(filepath.Join(root, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			got := generic(t, d.Report(root))
			for _, k := range sortedKeys(want) {
				switch k {
				case "images":
					compareImages(t, "images", got[k], want[k])
				case "derivatives":
					gd, _ := got[k].([]any)
					wd, _ := want[k].([]any)
					if len(gd) != len(wd) {
						t.Errorf("derivatives: %d pipelines, want %d", len(gd), len(wd))
						continue
					}
					for i := range wd {
						g, w := gd[i].(map[string]any), wd[i].(map[string]any)
						for _, f := range sortedKeys(w) {
							if f == "images" {
								compareImages(t, fmt.Sprintf("derivatives[%v]", w["pipeline"]), g[f], w[f])
							} else if !reflect.DeepEqual(g[f], w[f]) {
								t.Errorf("derivatives[%v].%s = %v, want %v", w["pipeline"], f, g[f], w[f])
							}
						}
					}
				default:
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Errorf("%s:\n got %v\nwant %v", k, got[k], want[k])
					}
				}
			}
		})
	}
}

// generic turns v into the maps and slices encoding/json decodes into,
// so it compares with the oracle field by field.
func generic(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func compareImages(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := got.([]any)
	w, _ := want.([]any)
	if len(g) != len(w) {
		t.Errorf("%s: %d images, want %d", what, len(g), len(w))
	}
	for i := 0; i < len(w) && i < len(g); i++ {
		gi, wi := g[i].(map[string]any), w[i].(map[string]any)
		for _, k := range sortedKeys(wi) {
			if !reflect.DeepEqual(gi[k], wi[k]) {
				t.Errorf("%s[%d] %v: %s = %v, want %v", what, i, wi["path"], k, gi[k], wi[k])
			}
		}
	}
}
