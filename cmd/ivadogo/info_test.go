package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// The fields `ivadogo info --json` must print, named as in nifti-oracle.json.
var infoFields = []string{"format", "nifti_version", "endianness", "dim", "shape", "datatype",
	"datatype_name", "bitpix", "pixdim", "zooms", "vox_offset", "scl_slope", "scl_inter",
	"qform_code", "sform_code", "qform", "sform", "best_affine", "axcodes", "intent_code",
	"xyzt_units", "descrip"}

var dataFields = []string{"data_kind", "data_shape", "data_stats", "voxels", "sha256_f32le_f"}

func TestInfo(t *testing.T) {
	dir := testenv.SharedData(t)
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	example4d := p("nifti/nibabel/nibabel/tests/data/example4d.nii.gz")
	analyze := p("nifti/nibabel/nibabel/tests/data/analyze.hdr")
	tests := []struct {
		name    string
		args    []string
		status  int
		objects int      // JSON objects expected on stdout (0: text output)
		out     []string // substrings of stdout
		errOut  []string // substrings of stderr, one line per failing file
	}{
		{name: "json", args: []string{"--json", example4d}, objects: 1,
			out: []string{`"format":"nifti1-single"`, `"endianness":"<"`, `"axcodes":["L","A","S"]`,
				`"sha256_f32le_f":"80fa66eb36babd728c4d6c4b3356952c77fe3b4e775f666374f40911215254ee"`}},
		{name: "flags after files", args: []string{example4d, "--json", "--header-only"}, objects: 1,
			out: []string{`"datatype_name":"int16"`}},
		{name: "text", args: []string{example4d}, out: []string{"nifti1-single", "128 x 96 x 24 x 2", "LAS", "max 1162"}},
		{name: "header only of a pair without .img", args: []string{"--header-only", "--json", analyze}, objects: 1,
			out: []string{`"format":"analyze"`, `"nifti_version":null`}},
		{name: "missing .img", args: []string{analyze}, status: 1, errOut: []string{"analyze.img", "does not exist"}},
		{name: "empty", args: []string{p("nifti/NIfTI.jl/test/data/empty.nii.gz")}, status: 1, errOut: []string{"empty.nii.gz", "empty file"}},
		{name: "bad gzip", args: []string{p("bids-examples/asl002/sub-Sub103/anat/sub-Sub103_T1w.nii.gz")}, status: 1,
			errOut: []string{"sub-Sub103_T1w.nii.gz", "bad gzip"}},
		{name: "truncated", args: []string{p("bids-examples/synthetic/sub-01/ses-01/anat/sub-01_ses-01_T1w.nii")}, status: 1,
			errOut: []string{"sub-01_ses-01_T1w.nii", "expected 134217728 bytes, got 0"}},
		{name: "not NIfTI", args: []string{p("nifti/nifti-rs/resources/fuzz_artifacts/crash-08123ef33416bd6f0c5fa63d44b681b8581d62a0")},
			status: 1, errOut: []string{"crash-08123ef", "cannot work out the file type"}},
		{name: "good and bad", args: []string{"--json", p("nifti/NIfTI.jl/test/data/empty.nii.gz"), example4d}, status: 1, objects: 1,
			errOut: []string{"empty file"}},
		{name: "no files", args: []string{"--json"}, status: 2, errOut: []string{"Usage: ivadogo info"}},
		{name: "bad flag", args: []string{"--frobnicate", example4d}, status: 2, errOut: []string{"frobnicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(append([]string{"info"}, tt.args...), &stdout, &stderr)
			if status != tt.status {
				t.Fatalf("status %d, want %d; stderr %q", status, tt.status, stderr.String())
			}
			for _, s := range tt.out {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.errOut {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q: %q", s, stderr.String())
				}
			}
			if tt.status == 1 {
				if n := strings.Count(stderr.String(), "\n"); n != 1 {
					t.Errorf("stderr has %d lines, want one per failing file: %q", n, stderr.String())
				}
			}
			if tt.objects == 0 {
				return
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(lines) != tt.objects {
				t.Fatalf("%d JSON lines, want %d", len(lines), tt.objects)
			}
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				fields := infoFields
				if !contains(tt.args, "--header-only") {
					fields = append(fields, dataFields...)
				}
				for _, f := range fields {
					if _, ok := m[f]; !ok {
						t.Errorf("field %q missing", f)
					}
				}
				if contains(tt.args, "--header-only") {
					if _, ok := m["data_stats"]; ok {
						t.Errorf("--header-only printed data_stats")
					}
				}
			}
		})
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
