package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

func TestBIDSCommand(t *testing.T) {
	data := testenv.SharedData(t)
	ivado := filepath.Join(data, "ivadomed-data-testing")
	tests := []struct {
		name   string
		args   []string
		status int
		out    []string // substrings expected on stdout
		errOut string
	}{
		{name: "summary", args: []string{ivado}, out: []string{"subjects: 3", "T2star 3", "_seg-manual", "3/9", "derivatives/labels: 11 images"}},
		{name: "collection", args: []string{filepath.Join(data, "bids-examples")}, out: []string{"7t_trt", "micr_SEM", "SEM 2"}},
		{name: "no args", args: nil, status: 2, errOut: "Usage"},
		{name: "help", args: []string{"-h"}, status: 0, errOut: "--json"},
		{name: "missing", args: []string{filepath.Join(data, "no-such-dir")}, status: 1, errOut: "no-such-dir"},
		{name: "bad flag", args: []string{"--frob", ivado}, status: 2, errOut: "frob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(append([]string{"bids"}, tt.args...), &stdout, &stderr); got != tt.status {
				t.Fatalf("status %d, want %d; stderr %s", got, tt.status, stderr.String())
			}
			for _, s := range tt.out {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.errOut) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.errOut)
			}
		})
	}
}

func TestBIDSCommandJSON(t *testing.T) {
	data := testenv.SharedData(t)
	var stdout, stderr bytes.Buffer
	if st := run([]string{"bids", "--json", filepath.Join(data, "ivadomed-data-testing", "microscopy_png")}, &stdout, &stderr); st != 0 {
		t.Fatalf("status %d: %s", st, stderr.String())
	}
	var doc struct {
		Count    int `json:"count"`
		Datasets []struct {
			Subjects      []string                    `json:"subjects"`
			NImages       int                         `json:"n_images"`
			LabelsByImage map[string][]map[string]any `json:"labels_by_image"`
			Images        []struct {
				Entities [][2]string `json:"entities"`
				Suffix   string      `json:"suffix"`
			} `json:"images"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Count != 1 || len(doc.Datasets) != 1 {
		t.Fatalf("count %d, datasets %d; want 1", doc.Count, len(doc.Datasets))
	}
	ds := doc.Datasets[0]
	if ds.NImages != 5 || len(ds.Subjects) != 2 || len(ds.LabelsByImage) != 5 {
		t.Errorf("n_images %d subjects %v labelled %d; want 5, [rat2 rat3], 5", ds.NImages, ds.Subjects, len(ds.LabelsByImage))
	}
	for _, l := range ds.LabelsByImage {
		if len(l) != 2 {
			t.Errorf("labels %v: want axon and myelin", l)
		}
	}
	if ds.Images[0].Suffix != "SEM" || ds.Images[0].Entities[1] != [2]string{"sample", "data5"} {
		t.Errorf("first image %+v", ds.Images[0])
	}
}
