package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ivadogo/ivadogo/nifti"
)

func init() {
	register(&command{name: "info", summary: "show the header, affine and data statistics of NIfTI files", run: runInfo})
}

// runInfo describes each FILE; a file that cannot be read gives one line
// on stderr and exit status 1, and the other files are still described.
func runInfo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("info", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, "print one JSON object per file (one per line), fields named as in nifti-oracle.json")
	headerOnly := fl.Bool("header-only", false, "read only the header, not the voxel data")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ivadogo info [--json] [--header-only] FILE...\n\n"+
			"Describe NIfTI-1/-2 and Analyze files (.nii, .nii.gz, .hdr/.img):\n"+
			"format, datatype, shape, voxel sizes, affine and orientation, scaling,\n"+
			"and the statistics of the scaled data.\n\n")
		fl.PrintDefaults()
	}
	// Flags may come after the file names, as with nib-ls.
	var flags, files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
		} else {
			files = append(files, a)
		}
	}
	if err := fl.Parse(flags); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if len(files) == 0 {
		fl.Usage()
		return 2
	}
	status := 0
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // endianness is "<" or ">", as in the oracle
	for i, f := range files {
		in, err := nifti.ReadInfo(f, *headerOnly)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo info: %s\n", oneLine(err.Error()))
			status = 1
			continue
		}
		if *asJSON {
			err = enc.Encode(in)
		} else {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			err = in.WriteText(stdout)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo info: %v\n", err)
			return 1
		}
	}
	return status
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
