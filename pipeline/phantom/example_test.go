package phantom_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

func ExampleGenerate() {
	subjects, err := phantom.Generate(phantom.Options{Subjects: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range subjects {
		cord := 0
		for _, v := range s.Label.Data {
			if v == 1 {
				cord++
			}
		}
		fmt.Println(s.ID, s.Label.Shape, len(s.Images), cord > 0)
	}
	// Output:
	// sub-01 [32 32 16] 3 true
	// sub-02 [32 32 16] 3 true
}

func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "phantom")
	defer os.RemoveAll(dir)
	if _, err := phantom.Write(dir, phantom.Options{Subjects: 1}); err != nil {
		fmt.Println(err)
		return
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "derivatives", "labels", "sub-01", "anat", "*"))
	for _, m := range matches {
		fmt.Println(filepath.Base(m))
	}
	// Output:
	// sub-01_T1w_seg-manual.nii.gz
	// sub-01_T2star_seg-manual.nii.gz
	// sub-01_T2w_seg-manual.nii.gz
}
