package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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

// peer is a running nibabel_peer.py --serve, or nil when the system
// python has no nibabel (the ratios are then simply not reported).
type peer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startPeer(b *testing.B) *peer {
	if os.Getenv("IVADOGO_NO_PEER") != "" {
		return nil
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		return nil
	}
	cmd := exec.Command("/usr/bin/python3", "nibabel_peer.py", "--serve")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil
	}
	if err := cmd.Start(); err != nil {
		b.Logf("nibabel peer not started: %v", err)
		return nil
	}
	return &peer{cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

// time asks the peer to run one command and returns its time in ms.
func (p *peer) time(cmd string) (float64, error) {
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		return 0, err
	}
	if !p.out.Scan() {
		return 0, fmt.Errorf("nibabel peer stopped (is python3-nibabel installed?): %v", p.out.Err())
	}
	var r struct {
		MS    float64 `json:"ms"`
		Error string  `json:"error"`
	}
	if err := json.Unmarshal(p.out.Bytes(), &r); err != nil || r.Error != "" {
		return 0, fmt.Errorf("nibabel peer: %v %s", err, r.Error)
	}
	return r.MS, nil
}

func (p *peer) stop() {
	p.in.Close()
	p.cmd.Wait()
}

// interleaved runs goRun and the peer's command alternately reps times
// (after one warm-up each) and returns both median times in ms, so that
// the two see the same load on a shared machine. peerMS is 0 without a
// peer.
func interleaved(b *testing.B, p *peer, reps int, goRun func(), cmd string) (goMS, peerMS float64) {
	goRun()
	if p != nil {
		if _, err := p.time(cmd); err != nil {
			b.Fatal(err)
		}
	}
	var gs, ps []float64
	for range reps {
		t0 := time.Now()
		goRun()
		gs = append(gs, float64(time.Since(t0).Microseconds())/1e3)
		if p != nil {
			ms, err := p.time(cmd)
			if err != nil {
				b.Fatal(err)
			}
			ps = append(ps, ms)
		}
	}
	return medianOf(gs), medianOf(ps)
}

func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// BenchmarkNIfTI reads each file (as the pipeline does: float32, scaled)
// and writes it back in its own datatype, reporting the median time, MB/s
// of float32 voxel data and, when nibabel is installed, nibabel's median
// time for the same work, its runs interleaved with ours, and the ratio
// (x-nibabel > 1: ivadogo is faster). Reps: IVADOGO_BENCH_REPS (default 7).
func BenchmarkNIfTI(b *testing.B) {
	out := b.TempDir()
	files := niftiFiles(b, out)
	p := startPeer(b)
	if p != nil {
		defer p.stop()
	}
	reps := 7
	if r, err := strconv.Atoi(os.Getenv("IVADOGO_BENCH_REPS")); err == nil && r > 0 {
		reps = r
	}
	for _, f := range files {
		img, err := nifti.Read(f)
		if err != nil {
			b.Fatal(err)
		}
		mb := float64(4*len(img.Data)) / 1e6
		name := filepath.Base(f)
		b.Run("read/"+name, func(b *testing.B) {
			var g, n float64
			for b.Loop() {
				g, n = interleaved(b, p, reps, func() {
					if _, err := nifti.Read(f); err != nil {
						b.Fatal(err)
					}
				}, "read "+f)
			}
			report(b, g, mb, n)
		})
		b.Run("write/"+name, func(b *testing.B) {
			dst := filepath.Join(out, "out_"+name)
			var g, n float64
			for b.Loop() {
				g, n = interleaved(b, p, reps, func() {
					if err := nifti.Write(dst, img); err != nil {
						b.Fatal(err)
					}
				}, "write "+f+" "+filepath.Join(out, "peer_"+name))
			}
			report(b, g, mb, n)
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
