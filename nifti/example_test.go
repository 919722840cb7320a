package nifti_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/nifti"
)

// A prediction is made on a 2x2x1 grid with 1 mm voxels, written as
// .nii.gz and read back.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "nifti-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	affine := nifti.Affine{{-1, 0, 0, 10}, {0, 1, 0, -5}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	img := nifti.New([]float32{0, 0.25, 0.5, 1}, []int{2, 2, 1}, affine)
	path := filepath.Join(dir, "pred.nii.gz")
	if err := nifti.Write(path, img); err != nil {
		log.Fatal(err)
	}
	back, err := nifti.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Header.Format, back.Header.Datatype, back.Shape, back.Data)
	fmt.Println(back.Orientation(), back.Header.Zooms())
	// Output:
	// nifti1-single float32 [2 2 1] [0 0.25 0.5 1]
	// LAS [1 1 1]
}

// Read gives the scaled voxels in Fortran order and the header with the
// affine nibabel would use.
func ExampleRead() {
	dir, _ := os.MkdirTemp("", "nifti-example")
	defer os.RemoveAll(dir)
	h := nifti.NewHeader(nifti.Int16, []int{3, 1, 1}, nifti.Affine{{2, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}})
	h.SclSlope, h.SclInter = 0.5, 100
	path := filepath.Join(dir, "t1.nii")
	if err := nifti.Write(path, &nifti.Image{Header: h, Shape: []int{3, 1, 1}, Data: []float32{100, 101, 102.5}}); err != nil {
		log.Fatal(err)
	}
	img, err := nifti.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	slope, inter, _ := img.Header.SlopeInter()
	fmt.Println(img.Data, slope, inter)
	fmt.Println(img.Header.Affine()[0])
	// Output:
	// [100 101 102.5] 0.5 100
	// [2 0 0 0]
}

// A model works on the closest canonical (RAS) orientation; its output is
// put back into the input's own orientation before it is written.
func ExampleImage_Canonical() {
	// Axes: i runs right-to-left, j posterior-to-anterior, k inferior-to-superior.
	affine := nifti.Affine{{-1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	in := nifti.New([]float32{1, 2, 3}, []int{3, 1, 1}, affine)
	ras, err := in.Canonical()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.Orientation(), "->", ras.Orientation(), ras.Data)
	pred, err := ras.Reorient(in.Orientation())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pred.Orientation(), pred.Data)
	// Output:
	// LAS -> RAS [3 2 1]
	// LAS [1 2 3]
}

// Resample to a target voxel size (ivadomed's Resample transform) and
// back to the stored grid.
func ExampleImage_Resample() {
	affine := nifti.Affine{{2, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}}
	img := nifti.New([]float32{0, 10, 20}, []int{3, 1, 1}, affine)
	fine, err := img.Resample([3]float64{1, 2, 2}, nifti.Linear)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fine.Shape, fine.Data)
	back, err := fine.ResampleShape([3]int{3, 1, 1}, nifti.Linear)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Data)
	// Output:
	// [6 1 1] [0 4 8 12 16 20]
	// [0 10 20]
}
