package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/nifti"
)

// niftiFiles are ivadomed-data-testing's images (the training data of the
// test suite) and a 256³ float32 phantom volume made once, as .nii.gz and
// .nii.
func niftiFiles(b *testing.B, tmp string) []string {
	dir := testenv.SharedData(b)
	var files []string
	for _, rel := range []string{
		"ivadomed-data-testing/sub-unf01/anat/sub-unf01_T1w.nii.gz",
		"ivadomed-data-testing/sub-unf01/anat/sub-unf01_T2w.nii.gz",
		"ivadomed-data-testing/sub-unf02/anat/sub-unf02_T1w.nii.gz",
		"ivadomed-data-testing/ct_scan/sub-spleen2/ct/sub-spleen2_ct.nii.gz",
		"ivadomed-data-testing/ct_scan/derivatives/labels/sub-spleen2/ct/sub-spleen2_ct_seg-manual.nii.gz",
	} {
		files = append(files, filepath.Join(dir, rel))
	}
	return append(files, phantomFiles(b, tmp)...)
}

// phantomFiles writes the 256³ float32 phantom into dir: a noisy
// ellipsoid of smoothly varying intensity on a zero background, quantised
// to 1/8 so that it compresses about as well as real MR data.
func phantomFiles(b *testing.B, dir string) []string {
	const n = 256
	data := make([]float32, n*n*n)
	rng := rand.New(rand.NewPCG(7, 11))
	for z := range n {
		for y := range n {
			for x := range n {
				u, v, w := float64(x)/n-0.5, float64(y)/n-0.5, float64(z)/n-0.5
				if u*u/0.16+v*v/0.2+w*w/0.12 > 1 {
					continue
				}
				s := 500 + 300*math.Sin(8*u)*math.Cos(6*v) + 100*w + 20*rng.NormFloat64()
				data[x+n*(y+n*z)] = float32(math.Round(s*8) / 8)
			}
		}
	}
	aff := nifti.Affine{{-1, 0, 0, 128}, {0, 1, 0, -128}, {0, 0, 1, -128}, {0, 0, 0, 1}}
	img := nifti.New(data, []int{n, n, n}, aff)
	var files []string
	for _, name := range []string{"phantom256.nii.gz", "phantom256.nii"} {
		p := filepath.Join(dir, name)
		if err := nifti.Write(p, img); err != nil {
			b.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

// peerResult is one line of nibabel_peer.py.
type peerResult struct {
	File string  `json:"file"`
	Op   string  `json:"op"`
	MS   float64 `json:"ms"`
}

var (
	peerOnce sync.Once
	peerMS   map[string]float64 // "op file" -> ms
)

// nibabelTimes runs bench/nibabel_peer.py once over files when the system
// python has nibabel; without it the ratios are simply not reported.
func nibabelTimes(b *testing.B, files []string) map[string]float64 {
	peerOnce.Do(func() {
		peerMS = map[string]float64{}
		if os.Getenv("IVADOGO_NO_PEER") != "" {
			return
		}
		if _, err := os.Stat("/usr/bin/python3"); err != nil {
			return
		}
		out, err := os.MkdirTemp("", "ivadogo-nibabel")
		if err != nil {
			return
		}
		defer os.RemoveAll(out)
		args := append([]string{"nibabel_peer.py", "--reps", "5", "--write-dir", out}, files...)
		cmd := exec.Command("/usr/bin/python3", args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			b.Logf("nibabel peer not run: %v: %s", err, stderr.String())
			return
		}
		sc := bufio.NewScanner(&stdout)
		for sc.Scan() {
			var r peerResult
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				peerMS[r.Op+" "+r.File] = r.MS
			}
		}
	})
	return peerMS
}

// medianMS runs fn reps times and returns the median wall time in ms.
func medianMS(b *testing.B, reps int, fn func()) float64 {
	var ts []float64
	for range reps {
		t0 := time.Now()
		fn()
		ts = append(ts, float64(time.Since(t0).Microseconds())/1e3)
	}
	sort.Float64s(ts)
	return ts[len(ts)/2]
}

// BenchmarkNIfTI reads each file (as the pipeline does: float32, scaled)
// and writes it back, reporting the median time, MB/s of voxel data and,
// when nibabel is installed, nibabel's median time for the same work
// measured in the same run and the ratio (x faster than nibabel).
func BenchmarkNIfTI(b *testing.B) {
	out := b.TempDir()
	files := niftiFiles(b, out)
	peer := nibabelTimes(b, files)
	for _, f := range files {
		img, err := nifti.Read(f)
		if err != nil {
			b.Fatal(err)
		}
		mb := float64(4*len(img.Data)) / 1e6
		name := filepath.Base(f)
		b.Run("read/"+name, func(b *testing.B) {
			var ms float64
			for b.Loop() {
				ms = medianMS(b, 5, func() {
					if _, err := nifti.Read(f); err != nil {
						b.Fatal(err)
					}
				})
			}
			report(b, ms, mb, peer["read "+f])
		})
		b.Run("write/"+name, func(b *testing.B) {
			dst := filepath.Join(out, "out_"+name)
			var ms float64
			for b.Loop() {
				ms = medianMS(b, 5, func() {
					if err := nifti.Write(dst, img); err != nil {
						b.Fatal(err)
					}
				})
			}
			report(b, ms, mb, peer["write "+f])
		})
	}
}

func report(b *testing.B, ms, mb, peerMS float64) {
	b.ReportMetric(ms, "ms/median")
	b.ReportMetric(mb/(ms/1e3), "MB/s")
	if peerMS > 0 {
		b.ReportMetric(peerMS, "nibabel-ms")
		b.ReportMetric(peerMS/ms, "x-nibabel")
	}
}
