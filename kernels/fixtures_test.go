package kernels

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"
)

// The fixtures are written by testdata/make_fixtures.py with PyTorch in
// float64; they pin the conventions that gradient checks cannot see.
type torchFixtures struct {
	Torch string `json:"torch"`
	Conv  []struct {
		Name                      string
		Params                    ConvParams
		Out                       []int
		X, W, Bias, Y, Dy, Dx, Dw []float64
		Dbias                     []float64
	}
	ConvTranspose []struct {
		Name                      string
		Params                    ConvTransposeParams
		Out                       []int
		X, W, Bias, Y, Dy, Dx, Dw []float64
		Dbias                     []float64
	} `json:"conv_transpose"`
	Pool []struct {
		Name   string
		Params PoolParams
		Out    []int
		X      []float64
		MaxY   []float64 `json:"max_y"`
		MaxIdx []int32   `json:"max_idx"`
		AvgY   []float64 `json:"avg_y"`
		Dy     []float64
		MaxDx  []float64 `json:"max_dx"`
		AvgDx  []float64 `json:"avg_dx"`
	}
	Interp []struct {
		Name   string
		Params struct {
			N, C         int
			In, Out      []int
			Mode         string
			AlignCorners bool
		}
		X, Y, Dy, Dx []float64
	}
	BatchNorm []struct {
		Name                            string
		N, C, S                         int
		Eps                             float64
		X, Gamma, Beta, Y, Mean, Invstd []float64
		RunningMean                     []float64 `json:"running_mean"`
		RunningVar                      []float64 `json:"running_var"`
		Dy, Dx, Dgamma, Dbeta           []float64
		EvalX                           []float64 `json:"eval_x"`
		EvalY                           []float64 `json:"eval_y"`
	} `json:"batchnorm"`
	GroupNorm []struct {
		Name                            string
		N, C, S, Groups                 int
		Eps                             float64
		X, Gamma, Beta, Y, Mean, Invstd []float64
		Dy, Dx, Dgamma, Dbeta           []float64
	} `json:"groupnorm"`
	Adam []struct {
		Name                  string
		LR, Beta1, Beta2, Eps float64
		WeightDecay           float64 `json:"weight_decay"`
		Decoupled             bool
		Param0                []float64
		Grads                 [][]float64
		Param, M, V           []float64
	}
}

var (
	fixturesOnce sync.Once
	fixtures     torchFixtures
	fixturesErr  error
)

func loadFixtures(t *testing.T) *torchFixtures {
	t.Helper()
	fixturesOnce.Do(func() {
		b, err := os.ReadFile("testdata/torch_fixtures.json")
		if err != nil {
			fixturesErr = err
			return
		}
		fixturesErr = json.Unmarshal(b, &fixtures)
	})
	if fixturesErr != nil {
		t.Fatalf("testdata/torch_fixtures.json: %v", fixturesErr)
	}
	return &fixtures
}

// assertTorch compares with PyTorch's values within 1e-5 relative (plus
// 1e-9 absolute for values that cancel to zero).
func assertTorch(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, PyTorch has %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= 1e-5*math.Abs(want[i])+1e-9) {
			t.Fatalf("%s: [%d] = %.10g, PyTorch %.10g", what, i, got[i], want[i])
		}
	}
}

// assertTorch32 compares a float32 result with PyTorch's float64 values.
func assertTorch32(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	assertClose(t, what+" (float32)", to64(got), want, 1e-4)
}

func intsEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTorchConv(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.Conv) == 0 || len(fx.ConvTranspose) == 0 {
		t.Fatal("no convolution fixtures")
	}
	for _, c := range fx.Conv {
		t.Run(c.Name, func(t *testing.T) {
			p := c.Params
			if !intsEqual(p.Out(), c.Out) {
				t.Fatalf("Out() = %v, PyTorch %v", p.Out(), c.Out)
			}
			y := make([]float64, len(c.Y))
			ConvForward(p, c.X, c.W, c.Bias, y)
			assertTorch(t, "y", y, c.Y)
			dx, dw := make([]float64, len(c.X)), make([]float64, len(c.W))
			var db []float64
			if c.Bias != nil {
				db = make([]float64, len(c.Bias))
			}
			ConvBackwardData(p, c.Dy, c.W, dx)
			ConvBackwardWeight(p, c.X, c.Dy, dw, db)
			assertTorch(t, "dx", dx, c.Dx)
			assertTorch(t, "dw", dw, c.Dw)
			if c.Bias != nil {
				assertTorch(t, "dbias", db, c.Dbias)
			}
			y32 := make([]float32, len(c.Y))
			ConvForward(p, to32(c.X), to32(c.W), to32OrNil(c.Bias), y32)
			assertTorch32(t, "y", y32, c.Y)
		})
	}
	for _, c := range fx.ConvTranspose {
		t.Run(c.Name, func(t *testing.T) {
			p := c.Params
			if !intsEqual(p.Out(), c.Out) {
				t.Fatalf("Out() = %v, PyTorch %v", p.Out(), c.Out)
			}
			y := make([]float64, len(c.Y))
			ConvTransposeForward(p, c.X, c.W, c.Bias, y)
			assertTorch(t, "y", y, c.Y)
			dx, dw, db := make([]float64, len(c.X)), make([]float64, len(c.W)), make([]float64, len(c.Bias))
			ConvTransposeBackwardData(p, c.Dy, c.W, dx)
			ConvTransposeBackwardWeight(p, c.X, c.Dy, dw, db)
			assertTorch(t, "dx", dx, c.Dx)
			assertTorch(t, "dw", dw, c.Dw)
			assertTorch(t, "dbias", db, c.Dbias)
			y32 := make([]float32, len(c.Y))
			ConvTransposeForward(p, to32(c.X), to32(c.W), to32(c.Bias), y32)
			assertTorch32(t, "y", y32, c.Y)
		})
	}
}

func TestTorchPooling(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.Pool) == 0 {
		t.Fatal("no pooling fixtures")
	}
	for _, c := range fx.Pool {
		t.Run(c.Name, func(t *testing.T) {
			p := c.Params
			if !intsEqual(p.Out(), c.Out) {
				t.Fatalf("Out() = %v, PyTorch %v", p.Out(), c.Out)
			}
			y, idx := make([]float64, len(c.MaxY)), make([]int32, len(c.MaxY))
			MaxPoolForward(p, c.X, y, idx)
			assertTorch(t, "max y", y, c.MaxY)
			for i := range idx {
				if idx[i] != c.MaxIdx[i] {
					t.Fatalf("max idx[%d] = %d, PyTorch %d", i, idx[i], c.MaxIdx[i])
				}
			}
			dx := make([]float64, len(c.X))
			MaxPoolBackward(p, c.Dy, idx, dx)
			assertTorch(t, "max dx", dx, c.MaxDx)
			AvgPoolForward(p, c.X, y)
			assertTorch(t, "avg y", y, c.AvgY)
			AvgPoolBackward(p, c.Dy, dx)
			assertTorch(t, "avg dx", dx, c.AvgDx)

			y32 := make([]float32, len(y))
			AvgPoolForward(p, to32(c.X), y32)
			assertTorch32(t, "avg y", y32, c.AvgY)
		})
	}
}

func TestTorchInterp(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.Interp) == 0 {
		t.Fatal("no interpolation fixtures")
	}
	for _, c := range fx.Interp {
		t.Run(c.Name, func(t *testing.T) {
			p := InterpParams{N: c.Params.N, C: c.Params.C, In: c.Params.In, Out: c.Params.Out, AlignCorners: c.Params.AlignCorners}
			switch c.Params.Mode {
			case "nearest":
				p.Mode = Nearest
			case "linear":
				p.Mode = Linear
			default:
				t.Fatalf("mode %q", c.Params.Mode)
			}
			y, dx := make([]float64, len(c.Y)), make([]float64, len(c.X))
			InterpForward(p, c.X, y)
			assertTorch(t, "y", y, c.Y)
			InterpBackward(p, c.Dy, dx)
			assertTorch(t, "dx", dx, c.Dx)
			y32 := make([]float32, len(c.Y))
			InterpForward(p, to32(c.X), y32)
			assertTorch32(t, "y", y32, c.Y)
		})
	}
}

func TestTorchBatchNorm(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.BatchNorm) == 0 {
		t.Fatal("no batch-norm fixtures")
	}
	for _, c := range fx.BatchNorm {
		t.Run(c.Name, func(t *testing.T) {
			y, mean, invstd := make([]float64, len(c.X)), make([]float64, c.C), make([]float64, c.C)
			BatchNormForward(c.N, c.C, c.S, c.X, c.Gamma, c.Beta, c.Eps, y, mean, invstd)
			assertTorch(t, "y", y, c.Y)
			assertTorch(t, "mean", mean, c.Mean)
			assertTorch(t, "invstd", invstd, c.Invstd)
			// The documented running-statistics update (momentum 0.1 from
			// zeros and ones, unbiased variance) reproduces PyTorch's.
			M := float64(c.N * c.S)
			rm, rv := make([]float64, c.C), make([]float64, c.C)
			for ch := range rm {
				rm[ch] = 0.1 * mean[ch]
				rv[ch] = 0.9 + 0.1*(1/(invstd[ch]*invstd[ch])-c.Eps)*M/(M-1)
			}
			assertTorch(t, "running mean", rm, c.RunningMean)
			assertTorch(t, "running var", rv, c.RunningVar)

			dx, dg, db := make([]float64, len(c.X)), make([]float64, c.C), make([]float64, c.C)
			BatchNormBackward(c.N, c.C, c.S, c.X, c.Dy, c.Gamma, mean, invstd, dx, dg, db)
			assertTorch(t, "dx", dx, c.Dx)
			if c.Gamma != nil {
				assertTorch(t, "dgamma", dg, c.Dgamma)
				assertTorch(t, "dbeta", db, c.Dbeta)
			}
			BatchNormInference(c.N, c.C, c.S, c.EvalX, c.Gamma, c.Beta, c.RunningMean, c.RunningVar, c.Eps, y)
			assertTorch(t, "eval y", y, c.EvalY)

			y32, m32, i32 := make([]float32, len(c.X)), make([]float32, c.C), make([]float32, c.C)
			BatchNormForward(c.N, c.C, c.S, to32(c.X), to32OrNil(c.Gamma), to32OrNil(c.Beta), float32(c.Eps), y32, m32, i32)
			assertTorch32(t, "y", y32, c.Y)
		})
	}
}

func TestTorchGroupNorm(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.GroupNorm) == 0 {
		t.Fatal("no group-norm fixtures")
	}
	for _, c := range fx.GroupNorm {
		t.Run(c.Name, func(t *testing.T) {
			y, mean, invstd := make([]float64, len(c.X)), make([]float64, c.N*c.Groups), make([]float64, c.N*c.Groups)
			GroupNormForward(c.N, c.C, c.S, c.Groups, c.X, c.Gamma, c.Beta, c.Eps, y, mean, invstd)
			assertTorch(t, "y", y, c.Y)
			assertTorch(t, "mean", mean, c.Mean)
			assertTorch(t, "invstd", invstd, c.Invstd)
			dx, dg, db := make([]float64, len(c.X)), make([]float64, c.C), make([]float64, c.C)
			GroupNormBackward(c.N, c.C, c.S, c.Groups, c.X, c.Dy, c.Gamma, mean, invstd, dx, dg, db)
			assertTorch(t, "dx", dx, c.Dx)
			if c.Gamma != nil {
				assertTorch(t, "dgamma", dg, c.Dgamma)
				assertTorch(t, "dbeta", db, c.Dbeta)
			}
			y32, m32, i32 := make([]float32, len(c.X)), make([]float32, len(mean)), make([]float32, len(mean))
			GroupNormForward(c.N, c.C, c.S, c.Groups, to32(c.X), to32OrNil(c.Gamma), to32OrNil(c.Beta), float32(c.Eps), y32, m32, i32)
			assertTorch32(t, "y", y32, c.Y)
		})
	}
}

func TestTorchAdam(t *testing.T) {
	fx := loadFixtures(t)
	if len(fx.Adam) == 0 {
		t.Fatal("no Adam fixtures")
	}
	for _, c := range fx.Adam {
		t.Run(c.Name, func(t *testing.T) {
			p := AdamParams{LR: c.LR, Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps, WeightDecay: c.WeightDecay, Decoupled: c.Decoupled}
			param := append([]float64(nil), c.Param0...)
			m, v := make([]float64, len(param)), make([]float64, len(param))
			for i, g := range c.Grads {
				p.Step = i + 1
				AdamUpdate(p, param, g, m, v)
			}
			assertTorch(t, "param", param, c.Param)
			assertTorch(t, "m", m, c.M)
			assertTorch(t, "v", v, c.V)
		})
	}
}
