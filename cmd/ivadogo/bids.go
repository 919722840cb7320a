package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ivadogo/ivadogo/bids"
)

func init() {
	register(&command{name: "bids", summary: "show what the loader sees in BIDS datasets", run: runBIDS})
}

// runBIDS indexes each DIR (a dataset, or a folder of datasets) and prints
// a summary, or with --json the layout report in bids-oracle.json's format.
func runBIDS(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("bids", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, "print the layout as JSON (fields of bids-oracle.json)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ivadogo bids [--json] DIR...\n\n"+
			"Index BIDS datasets and show subjects, images per suffix, derivatives,\n"+
			"label coverage and warnings. A DIR without dataset_description.json or\n"+
			"sub-* folders is searched for datasets.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	type found struct{ dir, base string }
	var dirs []found
	for _, dir := range fl.Args() {
		if isDataset(dir) {
			dirs = append(dirs, found{dir, ""})
			continue
		}
		ds, err := bids.FindDatasets(dir)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bids: %v\n", err)
			return 1
		}
		if len(ds) == 0 {
			fmt.Fprintf(stderr, "ivadogo bids: %s: no BIDS dataset (no dataset_description.json or sub-* folder)\n", dir)
			return 1
		}
		for _, d := range ds {
			dirs = append(dirs, found{d, dir})
		}
	}
	var reports []bids.Report
	for i, f := range dirs {
		d, err := bids.Index(f.dir)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bids: %v\n", err)
			return 1
		}
		if *asJSON {
			reports = append(reports, d.Report(f.base))
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := d.WriteSummary(stdout); err != nil {
			fmt.Fprintf(stderr, "ivadogo bids: %v\n", err)
			return 1
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		err := enc.Encode(map[string]any{"generator": "ivadogo bids", "count": len(reports), "datasets": reports})
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bids: %v\n", err)
			return 1
		}
	}
	return 0
}

// isDataset reports whether dir looks like one dataset rather than a
// folder of them.
func isDataset(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "dataset_description.json")); err == nil {
		return true
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return true // let Index report the error
	}
	for _, e := range es {
		if e.IsDir() && strings.HasPrefix(e.Name(), "sub-") {
			return true
		}
	}
	return false
}
