package losses

import (
	"fmt"
	"math"
	"slices"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// Func is a loss: prediction and target of one shape in, a one-element
// Var out.
type Func[E autograd.Float] func(pred, target *autograd.Var[E]) *autograd.Var[E]

type v[E autograd.Float] = autograd.Var[E]

func checkShapes[E autograd.Float](name string, p, t *v[E]) {
	if !slices.Equal(p.Shape(), t.Shape()) {
		panic(fmt.Sprintf("losses: %s: prediction shape %v, target shape %v", name, p.Shape(), t.Shape()))
	}
	if len(p.Shape()) < 2 {
		panic(fmt.Sprintf("losses: %s: want (N, C, …) tensors, got shape %v", name, p.Shape()))
	}
}

func oneMinus[E autograd.Float](x *v[E]) *v[E] { return autograd.AddScalar(autograd.Neg(x), 1) }

func inf[E autograd.Float]() E { return E(math.Inf(1)) }

func channel[E autograd.Float](x *v[E], c int) *v[E] { return autograd.Narrow(x, 1, c, 1) }

// Dice is DiceLoss: −(2Σpt + smooth)/(Σp + Σt + smooth) over the whole
// batch and all classes (range [−1, 0]).
func Dice[E autograd.Float](smooth float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("DiceLoss", p, t)
		return dice(p, t, smooth)
	}
}

func dice[E autograd.Float](p, t *v[E], smooth float64) *v[E] {
	inter := autograd.SumAll(autograd.Mul(p, t))
	num := autograd.AddScalar(autograd.MulScalar(inter, 2), E(smooth))
	den := autograd.AddScalar(autograd.Add(autograd.SumAll(p), autograd.SumAll(t)), E(smooth))
	return autograd.Neg(autograd.Div(num, den))
}

// MultiClassDice is MultiClassDiceLoss: the mean over the listed channels
// (all when classes is nil) of DiceLoss with smooth 1.
func MultiClassDice[E autograd.Float](classes []int) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("MultiClassDiceLoss", p, t)
		cl := classes
		if cl == nil {
			for c := 0; c < p.Dim(1); c++ {
				cl = append(cl, c)
			}
		}
		var sum *v[E]
		for _, c := range cl {
			if c < 0 || c >= p.Dim(1) {
				panic(fmt.Sprintf("losses: MultiClassDiceLoss: class %d of interest, prediction has %d channels", c, p.Dim(1)))
			}
			d := dice(channel(p, c), channel(t, c), 1)
			if sum == nil {
				sum = d
			} else {
				sum = autograd.Add(sum, d)
			}
		}
		return autograd.MulScalar(sum, E(1/float64(len(cl))))
	}
}

// BCE is BinaryCrossEntropyLoss, PyTorch's BCELoss with mean reduction
// (logarithms clamped at −100 as PyTorch does).
func BCE[E autograd.Float]() Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("BinaryCrossEntropyLoss", p, t)
		return bce(p, t)
	}
}

// Focal is FocalLoss: with p clamped to [eps, 1−eps],
// Σ −a_t (1−p_t)^γ log p_t, a_t = αt + (1−α)(1−t), p_t = exp(−BCE); a sum,
// not a mean, as in ivadomed.
func Focal[E autograd.Float](gamma, alpha, eps float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("FocalLoss", p, t)
		return focal(p, t, gamma, alpha, eps)
	}
}

// FocalDice is FocalDiceLoss: log(clamp(Focal, 1e-7)) − β·log(clamp(Dice,
// 1e-7)), Dice being −DiceLoss.
func FocalDice[E autograd.Float](beta, gamma, alpha float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("FocalDiceLoss", p, t)
		dc := autograd.Neg(dice(p, t, 1))
		fc := focal(p, t, gamma, alpha, 1e-7)
		lf := autograd.Log(autograd.Clamp(fc, 1e-7, inf[E]()))
		ld := autograd.Log(autograd.Clamp(dc, 1e-7, inf[E]()))
		return autograd.Sub(lf, autograd.MulScalar(ld, E(beta)))
	}
}

// spatialAxes are the axes after N and C.
func spatialAxes(shape []int) []int {
	var a []int
	for i := 2; i < len(shape); i++ {
		a = append(a, i)
	}
	return a
}

// background returns the constant channel that is 1 where x sums to 0
// over its channels.
func background[E autograd.Float](x *v[E]) *v[E] {
	var s *tensor.Dense[E]
	autograd.NoGrad(func() { s = autograd.Sum(x, []int{1}, true).Data() })
	return autograd.Const(tensor.Map(s, func(a E) E {
		if a == 0 {
			return 1
		}
		return 0
	}))
}

// GeneralizedDice is GeneralizedDiceLoss: with a synthetic background
// channel when includeBackground, class weights w = 1/clamp((Σt)², ε) per
// (sample, class), −2 Σ w·Σpt / clamp(Σ w·Σ(p+t), ε). The weights are
// constants, as ivadomed's nn.Parameter leaf is.
func GeneralizedDice[E autograd.Float](epsilon float64, includeBackground bool) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("GeneralizedDiceLoss", p, t)
		if includeBackground {
			p = autograd.Concat(1, p, background(p))
			t = autograd.Concat(1, t, background(t))
		}
		axes := spatialAxes(p.Shape())
		var w *tensor.Dense[E]
		autograd.NoGrad(func() {
			ts := autograd.Sum(t, axes, false).Data()
			w = tensor.Map(ts, func(a E) E { return E(1 / math.Max(float64(a)*float64(a), epsilon)) })
		})
		wc := autograd.Const(w)
		inter := autograd.SumAll(autograd.Mul(autograd.Sum(autograd.Mul(p, t), axes, false), wc))
		den := autograd.SumAll(autograd.Mul(autograd.Sum(autograd.Add(p, t), axes, false), wc))
		return autograd.MulScalar(autograd.Div(inter, autograd.Clamp(den, E(epsilon), inf[E]())), -2)
	}
}

// tverskyIndex is (TP+s)/(TP + α·FP + β·FN + s) of one class.
func tverskyIndex[E autograd.Float](yp, yt *v[E], alpha, beta, smooth float64) *v[E] {
	tp := autograd.SumAll(autograd.Mul(yt, yp))
	fn := autograd.SumAll(autograd.Mul(yt, oneMinus(yp)))
	fp := autograd.SumAll(autograd.Mul(oneMinus(yt), yp))
	num := autograd.AddScalar(tp, E(smooth))
	den := autograd.AddScalar(autograd.Add(tp, autograd.Add(autograd.MulScalar(fp, E(alpha)), autograd.MulScalar(fn, E(beta)))), E(smooth))
	return autograd.Div(num, den)
}

// Tversky is TverskyLoss: −mean over classes of the Tversky index (α
// weighs false positives, β false negatives).
func Tversky[E autograd.Float](alpha, beta, smooth float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("TverskyLoss", p, t)
		n := p.Dim(1)
		var sum *v[E]
		for c := 0; c < n; c++ {
			ti := tverskyIndex(channel(p, c), channel(t, c), alpha, beta, smooth)
			if sum == nil {
				sum = ti
			} else {
				sum = autograd.Add(sum, ti)
			}
		}
		return autograd.MulScalar(sum, E(-1/float64(n)))
	}
}

// FocalTversky is FocalTverskyLoss: mean over classes of (1 − TI)^(1/γ).
func FocalTversky[E autograd.Float](alpha, beta, gamma, smooth float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("FocalTverskyLoss", p, t)
		n := p.Dim(1)
		var sum *v[E]
		for c := 0; c < n; c++ {
			ti := tverskyIndex(channel(p, c), channel(t, c), alpha, beta, smooth)
			f := autograd.Pow(oneMinus(ti), E(1/gamma))
			if sum == nil {
				sum = f
			} else {
				sum = autograd.Add(sum, f)
			}
		}
		return autograd.MulScalar(sum, E(1/float64(n)))
	}
}

// L2 is L2loss: Σ(p−t)²/2.
func L2[E autograd.Float]() Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("L2loss", p, t)
		return autograd.MulScalar(autograd.SumAll(autograd.Square(autograd.Sub(p, t))), 0.5)
	}
}

// DiceCE is Dice + cross-entropy as nnU-Net's DC_and_CE_loss computes it,
// on probabilities as every ivadomed loss is: a soft Dice per channel over
// batch and space, dc_c = (2TP+s)/max(2TP+FP+FN+s, 1e-8), and the loss
// CE − mean_c dc_c, CE being BCE for one channel and −mean Σ_c t log p
// (p clamped at 1e-7) for several (softmax outputs).
func DiceCE[E autograd.Float](smooth float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("DiceCELoss", p, t)
		return diceCE(p, t, smooth)
	}
}
