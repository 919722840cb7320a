package nifti

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// oracle is shared/data/nifti-oracle.json, made by nibabel (make_oracle.py).
type oracle struct {
	Count int              `json:"count"`
	Files []map[string]any `json:"files"`
}

func loadOracle(t *testing.T) (string, *oracle) {
	t.Helper()
	return readOracle(t, testenv.SharedData(t))
}

func readOracle(t *testing.T, dir string) (string, *oracle) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "nifti-oracle.json"))
	if err != nil {
		t.Fatal(err)
	}
	var o oracle
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Files) != o.Count || o.Count == 0 {
		t.Fatalf("oracle lists %d files, says count %d", len(o.Files), o.Count)
	}
	return dir, &o
}

// num turns a JSON value (number or "NaN"/"Infinity"/"-Infinity") into a
// float64.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		switch x {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

// same compares JSON values: numbers within rel (0 = exactly, NaN equal
// to NaN), lists element-wise, everything else by equality.
func same(want, got any, rel float64) bool {
	if w, ok := num(want); ok {
		g, ok := num(got)
		if !ok {
			return false
		}
		if math.IsNaN(w) || math.IsNaN(g) {
			return math.IsNaN(w) && math.IsNaN(g)
		}
		if w == g {
			return true
		}
		return rel > 0 && math.Abs(w-g) <= rel*math.Max(1, math.Abs(w))
	}
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !same(w[i], g[i], rel) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !same(v, g[k], rel) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(want) == fmt.Sprint(got)
}

// Fields compared exactly, and those compared within 1e-6 (affines).
var (
	exactFields = []string{"format", "nifti_version", "endianness", "dim", "shape", "datatype",
		"datatype_name", "bitpix", "pixdim", "zooms", "vox_offset", "scl_slope", "scl_inter",
		"effective_slope", "effective_inter", "qform_code", "sform_code", "axcodes",
		"intent_code", "xyzt_units", "descrip", "magic", "sizeof_hdr"}
	affineFields = []string{"qform", "sform", "best_affine"}
	dataFields   = []string{"data_kind", "data_shape", "voxels", "sha256_f32le_f", "sha256_c64le_f"}
)

// TestOracle checks every file of the nibabel oracle: header fields
// exactly, affines within 1e-6, data statistics (sum and mean within 1e-6
// relative, the rest exactly), probe voxels and the float32 hash exactly;
// files nibabel cannot read must give an error, never a panic.
func TestOracle(t *testing.T) {
	dir, o := loadOracle(t)
	checkOracle(t, dir, o)
}

// TestOracleEdge runs the same checks on testdata/edge: files made with
// nibabel for the cases the shared set lacks (testdata/make_edge.py).
func TestOracleEdge(t *testing.T) {
	dir, o := readOracle(t, "testdata/edge")
	checkOracle(t, dir, o)
}

func checkOracle(t *testing.T, dir string, o *oracle) {
	var nHeader, nData, nErr int
	for _, e := range o.Files {
		rel := e["path"].(string)
		path := filepath.Join(dir, filepath.FromSlash(rel))
		t.Run(rel, func(t *testing.T) {
			headerOK, _ := e["header_ok"].(bool)
			dataOK, _ := e["data_ok"].(bool)
			hi, herr := ReadInfo(path, true)
			if !headerOK {
				nErr++
				if herr == nil {
					t.Fatalf("header read succeeded; nibabel failed with %v", e["error"])
				}
				if !strings.Contains(herr.Error(), path) {
					t.Errorf("error %q does not name the file", herr)
				}
				if _, err := Read(path); err == nil {
					t.Fatalf("Read succeeded; nibabel failed with %v", e["error"])
				}
				return
			}
			if herr != nil {
				t.Fatalf("header: %v", herr)
			}
			nHeader++
			compareInfo(t, e, hi, false)
			di, derr := ReadInfo(path, false)
			if !dataOK {
				nErr++
				if derr == nil {
					t.Fatalf("data read succeeded; nibabel failed with %v", e["data_error"])
				}
				if _, err := Read(path); err == nil {
					t.Fatalf("Read succeeded; nibabel failed with %v", e["data_error"])
				}
				return
			}
			if derr != nil {
				t.Fatalf("data: %v", derr)
			}
			nData++
			compareInfo(t, e, di, true)
			if n, _ := e["data_stats"].(map[string]any)["n"].(float64); testing.Short() && n > 1<<24 {
				return // the float32 reader is checked on the smaller files
			}
			img, err := Read(path)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if e["data_kind"] != "complex" && HashF32(img.Data) != e["sha256_f32le_f"] {
				t.Errorf("float32 Read hash differs from nibabel's")
			}
		})
	}
	t.Logf("%d files: %d headers and %d data sets match nibabel, %d expected errors", len(o.Files), nHeader, nData, nErr)
}

func compareInfo(t *testing.T, want map[string]any, info *Info, data bool) {
	t.Helper()
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	check := func(k string, rel float64) {
		w, ok := want[k]
		if !ok {
			return
		}
		if !same(w, got[k], rel) {
			t.Errorf("%s: got %v, nibabel %v", k, got[k], w)
		}
	}
	for _, k := range exactFields {
		check(k, 0)
	}
	for _, k := range affineFields {
		check(k, 1e-6)
	}
	if we, ok := want["extensions"].([]any); ok {
		ge, _ := got["extensions"].([]any)
		if len(ge) != len(we) {
			t.Errorf("extensions: got %d, nibabel %d", len(ge), len(we))
		} else {
			for i := range we {
				w, g := we[i].(map[string]any), ge[i].(map[string]any)
				// nibabel parses CIFTI-2 XML (code 32) and reports the size
				// of its own re-serialisation, not the stored one.
				cifti := same(w["code"], 32.0, 0)
				if !same(w["code"], g["code"], 0) || (!cifti && !same(w["esize"], g["esize"], 0)) ||
					(!cifti && !same(w["content_bytes"], g["content_bytes"], 0)) {
					t.Errorf("extension %d: got %v, nibabel %v", i, g, w)
				}
			}
		}
	}
	if !data {
		return
	}
	for _, k := range dataFields {
		check(k, 0)
	}
	ws, gs := want["data_stats"].(map[string]any), got["data_stats"].(map[string]any)
	if _, ok := ws["real"]; ok {
		compareStats(t, "real", ws["real"].(map[string]any), gs["real"].(map[string]any))
		compareStats(t, "imag", ws["imag"].(map[string]any), gs["imag"].(map[string]any))
	} else {
		compareStats(t, "", ws, gs)
	}
}

func compareStats(t *testing.T, part string, w, g map[string]any) {
	t.Helper()
	for k, wv := range w {
		rel := 0.0
		if k == "sum" || k == "mean" || k == "nansum" || k == "nanmean" {
			rel = 1e-6
		}
		if !same(wv, g[k], rel) {
			t.Errorf("data_stats %s %s: got %v, nibabel %v", part, k, g[k], wv)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("data_stats %s: extra field %s", part, k)
		}
	}
}
