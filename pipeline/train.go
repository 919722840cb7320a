package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/losses"
	"github.com/ivadogo/ivadogo/pipeline/metrics"
	"github.com/ivadogo/ivadogo/pipeline/tensorboard"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// Options tune how a command runs; the zero value is fine.
type Options struct {
	// Resume continues a killed training from path_output's checkpoint.
	Resume bool
	// Log receives plain log lines (nil: discarded). They are also
	// appended to path_output/<log_file>.
	Log io.Writer
	// Progress, when set, receives a progress bar redrawn in place (for a
	// terminal).
	Progress io.Writer
	// Workers is the number of goroutines that draw samples (default 2).
	Workers int
	// CacheBytes bounds the preprocessed volumes kept in memory per set
	// (default 1 GiB).
	CacheBytes int
	// Version is the program's version, written to version_info.log.
	Version string
	// Debug logs, every epoch, where its time went (data, forward,
	// backward, optimiser, validation, checkpoint, outputs) and where the
	// memory is. The config's "debugging": true does the same.
	Debug bool
	// StopAfterEpochs, when positive, stops training after that many
	// epochs of this call, as if the process had been killed after writing
	// the checkpoint (tests of --resume use it).
	StopAfterEpochs int
	// GIF is the number of validation slices animated, one frame per
	// epoch, in path_output/gifs (train -g; see gifRecorder).
	GIF int
	// PixelSize is the pixel size of segment's microscopy images whose
	// metadata has none (--pixel-size); nil: such an image is an error.
	PixelSize *PixelSize
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 1 << 30
	}
}

// TrainResult sums up a training run.
type TrainResult struct {
	Epochs        int     // epochs run in total
	BestEpoch     int     // epoch of the best validation loss
	BestValLoss   float64 // best validation loss
	LastTrainLoss float64
	Stopped       string // why training stopped early, or ""
	ModelDir      string // path_output/<model_name>
	// SecondsPerEpoch is the mean wall time of the epochs of this call.
	SecondsPerEpoch float64
	// PeakRSS is the process's peak resident memory in bytes.
	PeakRSS int64
}

// ErrNaNLoss is wrapped by the error of a training stopped by a NaN loss.
var ErrNaNLoss = errors.New("loss is NaN")

// logger writes plain lines to the caller's writer and the log file.
type logger struct {
	w []io.Writer
	f *os.File
}

func newLogger(o *Options, dir, name string) *logger {
	l := &logger{}
	if o.Log != nil {
		l.w = append(l.w, o.Log)
	}
	if name != "" {
		if f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			l.f = f
			l.w = append(l.w, f)
		}
	}
	return l
}

func (l *logger) printf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	for _, w := range l.w {
		io.WriteString(w, line)
	}
}

func (l *logger) close() {
	if l.f != nil {
		l.f.Close()
	}
}

// begin is what train, test and segment do first: check that the config
// asks for nothing unbuilt and that its output folder takes files, open
// the log, record the version, and say once that gpu_ids run on the CPU.
// The caller closes the log.
func begin(cfg *config.Config, o *Options) (*logger, error) {
	o.defaults()
	if err := cfg.CheckFeatures(Built); err != nil {
		return nil, err
	}
	if err := checkWritable(cfg.PathOutput); err != nil {
		return nil, err
	}
	log := newLogger(o, cfg.PathOutput, cfg.LogFile)
	writeVersionInfo(cfg.PathOutput, o.Version)
	if len(cfg.GPUIDs) > 0 {
		log.printf("gpu_ids %v: this build has no CUDA; running on the CPU (%d cores)", cfg.GPUIDs, runtime.NumCPU())
	}
	return log, nil
}

// Train trains the model of cfg on its training split, validating every
// epoch, and writes ivadomed's output folder under cfg.PathOutput:
// config_file.json, bids_dataframe.csv, split_datasets.json, the log,
// training_metrics.csv (one line per epoch), checkpoint.safetensors
// (every epoch), best_model.safetensors, final_model.safetensors and
// <model_name>/<model_name>.{safetensors,json} (the best model and its
// config, the folder segment -m reads).
//
// Early stopping follows ivadomed: from the second epoch on, an epoch
// whose validation loss improves on the previous epoch's by less than
// early_stopping_epsilon percent adds one to a patience count, which is
// never reset (upstream issue #867); training stops when the count
// reaches early_stopping_patience. The count is kept in the checkpoint.
//
// A NaN loss stops training with an error that names the epoch and batch
// (wrapping ErrNaNLoss); the checkpoint of the last completed epoch is
// left as it was.
func Train(cfg *config.Config, o Options) (*TrainResult, error) {
	log, err := begin(cfg, &o)
	if err != nil {
		return nil, err
	}
	defer log.close()
	start := time.Now()
	for _, n := range cfg.Notices {
		log.printf("config: %s", n)
	}
	lossFn, err := lossOf(cfg)
	if err != nil {
		return nil, err
	}
	tl, err := transformList(cfg)
	if err != nil {
		return nil, err
	}
	f, err := frame(cfg, "train", false)
	if err != nil {
		return nil, err
	}
	sp, err := split(cfg, f, o.Resume)
	if err != nil {
		return nil, err
	}
	trainPairs, err := f.Pairs(sp.Train, false)
	if err != nil {
		return nil, err
	}
	validPairs, err := f.Pairs(sp.Valid, false)
	if err != nil {
		return nil, err
	}
	// FiLM's metadata encoder is fitted on the training set, and HeMIS
	// groups a subject's contrasts, before the model is built.
	if cfg, trainPairs, validPairs, err = prepareTrain(cfg, trainPairs, validPairs); err != nil {
		return nil, err
	}
	// Weights are initialised from the run's seed, as the data draws are.
	nn.SetSeed(uint64(cfg.Split.RandomSeed))
	mod, mp, err := buildModel(cfg, "train")
	if err != nil {
		return nil, err
	}
	if len(trainPairs) == 0 || len(validPairs) == 0 {
		return nil, fmt.Errorf("pipeline: no labelled image in the training (%d) or validation (%d) set", len(trainPairs), len(validPairs))
	}
	for _, w := range f.Warnings {
		log.printf("bids: %s", w)
	}
	if err := config.WriteSplit(filepath.Join(cfg.PathOutput, splitFile), &sp); err != nil {
		return nil, err
	}
	if err := writeFrameCSV(cfg.PathOutput, f); err != nil {
		return nil, err
	}
	modelDir := filepath.Join(cfg.PathOutput, cfg.ModelName)
	if err := os.MkdirAll(modelDir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	saved := savedConfig(cfg, mp)
	if err := saved.Save(filepath.Join(cfg.PathOutput, "config_file.json")); err != nil {
		return nil, err
	}

	seed := uint64(cfg.Split.RandomSeed)
	var trainSet, validSet sampleSet
	if cfg.Is2D() {
		if trainSet, err = newSlices2D(trainPairs, cfg, tl, "training", false, o.CacheBytes); err != nil {
			return nil, err
		}
		if validSet, err = newSlices2D(validPairs, cfg, tl, "validation", false, o.CacheBytes); err != nil {
			return nil, err
		}
	} else {
		if trainSet, err = newPatches3D(trainPairs, cfg, mp, tl, "training", o.CacheBytes); err != nil {
			return nil, err
		}
		if validSet, err = newPatches3D(validPairs, cfg, mp, tl, "validation", o.CacheBytes); err != nil {
			return nil, err
		}
	}
	if trainSet.size() == 0 || validSet.size() == 0 {
		return nil, fmt.Errorf("pipeline: every slice was filtered out (training %d, validation %d samples): check slice_filter_params", trainSet.size(), validSet.size())
	}
	if trainSet, validSet, err = classifierSets(mp, o, trainSet, validSet); err != nil {
		return nil, err
	}
	unit := "slices"
	if !cfg.Is2D() {
		unit = "patches"
	}
	log.printf("train: %d images, %d %s; validation: %d images, %d %s; model %s (%d parameters)",
		len(trainPairs), trainSet.size(), unit, len(validPairs), validSet.size(), unit, mp.Name, nn.CountParameters(mod))

	if tl := cfg.Training.TransferLearning; tl.RetrainModel != nil && *tl.RetrainModel != "" {
		frozen, err := retrain(mod, *tl.RetrainModel, tl.RetrainFraction, tl.Reset)
		if err != nil {
			return nil, err
		}
		log.printf("transfer learning from %s: %d parameters frozen", *tl.RetrainModel, len(frozen))
	}
	params := nn.Parameters(mod)
	opt := optim.NewAdam(params, cfg.Training.Scheduler.InitialLR)
	sched, perBatch, err := schedule(cfg)
	if err != nil {
		return nil, err
	}
	st := trainState{Epoch: 1, BestLoss: math.Inf(1), PrevLoss: math.Inf(1), Seed: seed}
	ckpt := filepath.Join(cfg.PathOutput, checkpointName)
	csvPath := filepath.Join(cfg.PathOutput, "training_metrics.csv")
	if o.Resume {
		if st, err = loadCheckpoint(ckpt, mod, opt); err != nil {
			return nil, fmt.Errorf("%w (--resume needs the checkpoint of an earlier run)", err)
		}
		log.printf("resuming at epoch %d (best validation loss %.5f at epoch %d, patience count %d)", st.Epoch, st.BestLoss, st.BestEpoch, st.Patience)
	} else {
		os.Remove(ckpt)
		if err := writeAtomic(csvPath, []byte("epoch,train_loss,val_loss,val_dice,learning_rate,seconds\n")); err != nil {
			return nil, err
		}
	}
	mult := multiple(mp)
	gifs, err := newGIFRecorder(o.GIF, validSet, cfg.PathOutput, seed, mult)
	if err != nil {
		return nil, err
	}
	if gifs != nil && len(gifs.order) < o.GIF {
		log.printf("-g %d: the validation set has only %d samples; recording all of them", o.GIF, len(gifs.order))
	}
	var balance []int
	if cfg.Training.BalanceSamples.Applied {
		if balance, err = balanceLabels(cfg.Training.BalanceSamples, trainSet); err != nil {
			return nil, err
		}
	}
	tb, err := tensorboard.Create(cfg.PathOutput)
	if err != nil {
		return nil, err
	}
	defer tb.Close()
	nEpochs := cfg.Training.TrainingTime.NumEpochs
	bs := max(1, cfg.Training.BatchSize)
	soft := cfg.Loader.SoftGT
	// ivadomed's models drop the background channel of their output
	// (out_channel counts it), so labels carry the classes alone.
	bg := false
	res := &TrainResult{ModelDir: modelDir}
	var epochTime time.Duration
	ran := 0
	bestPath := filepath.Join(cfg.PathOutput, "best_model.safetensors")
	curvesPath := filepath.Join(cfg.PathOutput, "training_curves.png")
	// Every return waits for the writes in flight, so that an error (a
	// NaN loss) leaves the last epoch's checkpoint whole.
	var writes background
	defer writes.wait()
	debug := o.Debug || cfg.Debugging
	var pt *phaseTimer
	if debug {
		pt = newPhaseTimer()
		trainSet, validSet = timedSet{trainSet, pt}, timedSet{validSet, pt}
	}
	// The loader draws each epoch's batches ahead: the training batches of
	// epoch e+1 during epoch e's validation, the validation batches during
	// its training, so that the model never waits for the first batch. The
	// draws depend on (seed, epoch, position) alone, so this changes no
	// result.
	trainStream := func(epoch int) *stream {
		order := shuffled(trainSet.size(), seed, epoch)
		if balance != nil {
			order = transforms.BalancedSample(balance, len(balance), rand.New(rand.NewPCG(seed, uint64(epoch))))
		}
		return startStream(trainSet, order, bs, seed, epoch, o.Workers, soft, mult)
	}
	var cur, val, next *stream
	defer func() { cur.cancel(); val.cancel(); next.cancel() }()
	defer tensor.ForgetSteps(stepPrefix(mod))
	if st.Epoch <= nEpochs {
		next = trainStream(st.Epoch)
	}
	var curvesDue curvesClock
	for epoch := st.Epoch; epoch <= nEpochs; epoch++ {
		t0 := time.Now()
		// The last epoch's batches, augmentations and encoded files would
		// sit beside this epoch's first step, the run's peak: peak RSS of
		// the 3D reference config 251 → 216 MB, the 2D one's 490 → 481 MB,
		// run times unchanged (38.2 against 38.6 s over 185 epochs).
		returnGarbage()
		if pt != nil {
			pt.reset()
		}
		if !perBatch {
			opt.SetLR(sched.LR(epoch - 1))
		}
		lr := opt.LR()
		// Training.
		nn.SetTraining(mod, true)
		cur, next = next, nil
		val = startStream(validSet, identity(validSet.size()), bs, seed^0xa5a5, epoch, o.Workers, soft, mult)
		var sum float64
		n := 0
		nb := cur.batches
		for b := range cur.ch {
			if b.err != nil {
				return nil, b.err
			}
			pt.mark("train wait")
			if perBatch {
				opt.SetLR(sched.LR(st.Batches))
			}
			xs, ys := b.shapes()
			if mixup := cfg.Training.MixupAlpha; mixup != nil && *mixup > 0 && b.n > 1 {
				if _, _, err := transforms.Mixup(perSample(b.x, b.n), perSample(b.y, b.n), *mixup, sampleRand(seed^0x3c3c, epoch, b.index)); err != nil {
					return nil, fmt.Errorf("pipeline: mixup: %w", err)
				}
			}
			x := autograd.Const(tensor.FromSlice(b.x, xs...))
			y := autograd.Const(tensor.FromSlice(b.y, ys...))
			// Every step of a batch shape asks for the same buffers: the
			// arena laid out for them serves them without page faults.
			step := tensor.StartStep(stepKey(mod, "train", xs))
			pred := nn.Run(mod, b.input(x))
			loss := lossFn(pred, y)
			l := float64(loss.Item())
			pt.mark("train forward")
			if math.IsNaN(l) || math.IsInf(l, 0) {
				step.End()
				return nil, fmt.Errorf("pipeline: epoch %d, batch %d of %d: training %w (value %v); the checkpoint of epoch %d is kept in %s",
					epoch, b.index+1, nb, ErrNaNLoss, l, epoch-1, ckpt)
			}
			loss.Backward()
			pt.mark("train backward")
			// The last epoch's files view the weights and moments that
			// Step changes (see encodeState).
			if err := writes.wait(); err != nil {
				step.End()
				return nil, err
			}
			pt.mark("wait for last epoch's writes")
			opt.Step()
			opt.ZeroGrad()
			loss.Release()
			step.End()
			pt.mark("train optimiser")
			st.Batches++
			sum += l * float64(b.n)
			n += b.n
			if o.Progress != nil {
				el := time.Since(t0).Seconds()
				eta := el / float64(b.index+1) * float64(nb-b.index-1)
				fmt.Fprintf(o.Progress, "\repoch %d/%d  batch %d/%d  loss %.4f  %.1f img/s  ETA %.0fs   ", epoch, nEpochs, b.index+1, nb, sum/float64(n), float64(n)/el, eta)
			}
		}
		cur.cancel()
		if o.Progress != nil {
			fmt.Fprint(o.Progress, "\r\033[K")
		}
		trainLoss := sum / float64(max(1, n))
		pt.mark("train wait")
		if epoch < nEpochs {
			next = trainStream(epoch + 1)
		}
		// Validation.
		valLoss, valDice, err := validate(mod, val.ch, lossFn, bg, pt)
		val.cancel()
		if err != nil {
			return nil, err
		}
		// The weights are final for this epoch. The checkpoint and best
		// model view them and Adam's moments, not a copy: they are written
		// in the background until the next epoch's first opt.Step.
		sb := encodeState(mod, opt)
		pt.mark("state encoding")
		if math.IsNaN(valLoss) {
			return nil, fmt.Errorf("pipeline: epoch %d: validation %w; the checkpoint of epoch %d is kept in %s", epoch, ErrNaNLoss, epoch-1, ckpt)
		}
		if err := gifs.record(mod, epoch); err != nil {
			return nil, err
		}
		// The epoch's files are written in the background, beside the
		// next epoch's first forward and backward passes; its first
		// opt.Step waits for them.
		var jobs []func() error
		improved := valLoss < st.BestLoss
		if improved {
			st.BestLoss, st.BestEpoch = valLoss, epoch
			best := sb.model(map[string]string{"format": "pt", "epoch": fmt.Sprint(epoch)})
			jobs = append(jobs, func() error {
				if err := best.WriteFile(bestPath); err != nil {
					return fmt.Errorf("pipeline: saving the best model: %w", err)
				}
				return nil
			})
		}
		if epoch > 1 {
			diff := (st.PrevLoss - valLoss) * 100 / math.Abs(valLoss)
			if diff < cfg.Training.TrainingTime.EarlyStoppingEpsilon {
				st.Patience++
			}
		}
		st.PrevLoss = valLoss
		st.Epoch = epoch + 1
		cf, err := sb.checkpoint(st, nn.DropoutStates(mod), opt.LR())
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, func() error { return writeCheckpoint(ckpt, cf) })
		pt.mark("checkpoint")
		if err := writes.wait(); err != nil {
			return nil, err
		}
		pt.mark("wait for last epoch's writes")
		dt := time.Since(t0)
		epochTime += dt
		ran++
		if err := appendFile(csvPath, fmt.Sprintf("%d,%.6f,%.6f,%.6f,%.6g,%.3f\n", epoch, trainLoss, valLoss, valDice, lr, dt.Seconds())); err != nil {
			return nil, err
		}
		// Whether this epoch is the run's last: early stopping, or the
		// caller's stop.
		early := st.Patience >= cfg.Training.TrainingTime.EarlyStoppingPatience
		asked := o.StopAfterEpochs > 0 && ran >= o.StopAfterEpochs && epoch < nEpochs
		if curvesDue.due(time.Now(), epoch == nEpochs || early || asked) {
			metricsCSV, err := os.ReadFile(csvPath)
			if err != nil {
				return nil, fmt.Errorf("pipeline: %w", err)
			}
			bestEpoch := st.BestEpoch
			jobs = append(jobs, func() error {
				if err := plotCurves(metricsCSV, curvesPath, bestEpoch); err != nil {
					return fmt.Errorf("pipeline: training_curves.png: %w", err)
				}
				return nil
			})
		}
		writes.run(jobs...)
		pt.mark("csv")
		if err := tb.Scalars(int64(epoch), tensorboard.Value{Tag: "losses/train_loss", Value: trainLoss}, tensorboard.Value{Tag: "losses/val_loss", Value: valLoss},
			tensorboard.Value{Tag: "Validation/Metrics/dice_score", Value: valDice}, tensorboard.Value{Tag: "learning_rate", Value: lr}); err != nil {
			return nil, fmt.Errorf("pipeline: tensorboard: %w", err)
		}
		if err := tb.Flush(); err != nil {
			return nil, fmt.Errorf("pipeline: tensorboard: %w", err)
		}
		pt.mark("tensorboard")
		mark := ""
		if improved {
			mark = "  (best)"
		}
		cb, _, _ := trainSet.stats()
		log.printf("epoch %d/%d  train loss %.5f  val loss %.5f  val dice %.4f  lr %.3g  %.2fs  cache %.1f MB  peak RSS %.0f MB%s",
			epoch, nEpochs, trainLoss, valLoss, valDice, lr, dt.Seconds(), float64(cb)/1e6, float64(peakRSS())/1e6, mark)
		if pt != nil {
			pt.mark("log")
			log.printf("epoch %d phases: %s", epoch, pt)
			log.printf("epoch %d memory: %s", epoch, memoryLine())
		}
		res.LastTrainLoss = trainLoss
		res.Epochs = epoch
		if early {
			res.Stopped = fmt.Sprintf("early stopping at epoch %d: %d epochs without improvement above %g%%", epoch, st.Patience, cfg.Training.TrainingTime.EarlyStoppingEpsilon)
			log.printf("%s", res.Stopped)
			break
		}
		if asked {
			if err := writes.wait(); err != nil {
				return nil, err
			}
			res.Stopped = fmt.Sprintf("stopped after epoch %d as asked", epoch)
			res.BestEpoch, res.BestValLoss = st.BestEpoch, st.BestLoss
			return res, nil
		}
	}
	if err := writes.wait(); err != nil {
		return nil, err
	}
	res.BestEpoch, res.BestValLoss = st.BestEpoch, st.BestLoss
	if ran > 0 {
		res.SecondsPerEpoch = epochTime.Seconds() / float64(ran)
	}
	// Training is over: the pool's free buffers, a training step's working
	// set, go back to the system before the models are saved and loaded
	// beside them.
	tensor.ReleaseFree()
	if err := nn.SaveFile(mod, filepath.Join(cfg.PathOutput, "final_model.safetensors"), map[string]string{"format": "pt"}); err != nil {
		return nil, err
	}
	// The model folder holds the best model and its config.
	if err := nn.LoadFile(mod, bestPath); err != nil {
		return nil, err
	}
	if err := nn.SaveFile(mod, filepath.Join(modelDir, cfg.ModelName+".safetensors"), map[string]string{"format": "pt"}); err != nil {
		return nil, err
	}
	if err := saved.Save(filepath.Join(modelDir, cfg.ModelName+".json")); err != nil {
		return nil, err
	}
	res.PeakRSS = peakRSS()
	log.printf("training done in %.1fs (%.2fs per epoch, peak RSS %.0f MB): best validation loss %.5f at epoch %d; model in %s",
		time.Since(start).Seconds(), res.SecondsPerEpoch, float64(res.PeakRSS)/1e6, st.BestLoss, st.BestEpoch, modelDir)
	return res, nil
}

// savedConfig is the config as written to config_file.json and the model
// folder: the channel counts computed from the data are recorded in
// default_model, as ivadomed's saved configs carry them.
func savedConfig(cfg *config.Config, mp config.Model) *config.Config {
	c := *cfg
	c.DefaultModel.Set("in_channel", mp.InChannel)
	c.DefaultModel.Set("out_channel", mp.OutChannel)
	return &c
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	_, werr := f.WriteString(s)
	return errors.Join(werr, f.Close())
}

// lossOf builds training_parameters.loss.
func lossOf(cfg *config.Config) (losses.Func[float32], error) {
	b, err := json.Marshal(cfg.Training.Loss)
	if err != nil {
		return nil, err
	}
	f, err := losses.Parse[float32](b)
	if err != nil {
		return nil, fmt.Errorf("pipeline: training_parameters.loss: %w", err)
	}
	return f, nil
}

// shuffled returns refs in the order of one epoch, drawn from the seed and
// the epoch alone.
// perSample returns views of a batch buffer, one per sample.
func perSample(v []float32, n int) [][]float32 {
	per := len(v) / n
	out := make([][]float32, n)
	for i := range out {
		out[i] = v[i*per : (i+1)*per]
	}
	return out
}

// identity returns 0, 1, …, n−1.
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func shuffled(n int, seed uint64, epoch int) []int {
	r := rand.New(rand.NewPCG(seed, uint64(epoch)))
	out := identity(n)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// stream is one epoch's batches as the loader draws them (see batches).
type stream struct {
	ch      <-chan *batch
	stop    chan struct{}
	batches int
}

// startStream starts drawing the batches of one epoch, two ahead of the
// consumer.
func startStream(set sampleSet, order []int, bs int, seed uint64, epoch, workers int, soft bool, mult int) *stream {
	stop := make(chan struct{})
	return &stream{ch: batches(set, order, bs, seed, epoch, workers, 2, soft, mult, stop), stop: stop, batches: (len(order) + bs - 1) / bs}
}

// cancel abandons the epoch's remaining draws; s may be nil, and cancel
// may be called more than once.
func (s *stream) cancel() {
	if s != nil && s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
}

// validate returns the mean validation loss (per sample) and the mean
// Dice of the predictions thresholded at 0.5 (NaN-ignoring, as ivadomed's
// MetricManager).
//
// The parameters require no gradient for the pass, so that no op keeps
// anything for a backward pass: what only backward reads goes back to
// the tensor pool at once, and the U-Net's fused blocks and Drop calls
// hand their buffers back as the pass goes, as in inference. With the
// parameters requiring gradients the pass kept every intermediate until
// its Release: on the 2D U-Net config 362 MB in use at its peak, as much
// as a training step, where it is now 190 MB. The graph is still
// recorded (without backward functions) and released after each batch,
// so that what a model does not hand back itself goes back to the pool
// too. Under autograd.NoGrad it would go to the garbage collector
// instead: on the 2D U-Net config, before the fused blocks released
// their buffers, that drained 770 MB of pooled buffers per epoch, which
// the next step allocated afresh.
func validate(mod nn.Module, ch <-chan *batch, lossFn losses.Func[float32], bg bool, pt *phaseTimer) (float64, float64, error) {
	nn.SetTraining(mod, false)
	defer nn.SetTraining(mod, true)
	defer frozen(nn.Parameters(mod))()
	var lsum, dsum float64
	n, nd := 0, 0
	var ferr error
	func() {
		for b := range ch {
			if b.err != nil {
				ferr = b.err
				return
			}
			pt.mark("val wait")
			xs, ys := b.shapes()
			x := autograd.Const(tensor.FromSlice(b.x, xs...))
			y := autograd.Const(tensor.FromSlice(b.y, ys...))
			step := tensor.StartStep(stepKey(mod, "validation", xs))
			pred := nn.Run(mod, b.input(x))
			loss := lossFn(pred, y)
			lsum += float64(loss.Item()) * float64(b.n)
			n += b.n
			pt.mark("val forward")
			p := pred.Peek().Contiguous().Data()
			plane := len(b.y) / (b.n * b.k) // 1 for a classifier's labels
			first := 0
			if bg {
				first = 1
			}
			for i := 0; i < b.n; i++ {
				for c := first; c < b.k; c++ {
					off := (i*b.k + c) * plane
					pc := make([]float32, plane)
					for j := range pc {
						if p[off+j] >= 0.5 {
							pc[j] = 1
						}
					}
					if d := metrics.Dice(pc, b.y[off:off+plane], math.NaN()); !math.IsNaN(d) {
						dsum += d
						nd++
					}
				}
			}
			loss.Release()
			step.End()
			pt.mark("val dice")
		}
	}()
	if ferr != nil {
		return 0, 0, ferr
	}
	dice := math.NaN()
	if nd > 0 {
		dice = dsum / float64(nd)
	}
	return lsum / float64(max(1, n)), dice, nil
}

// stepKey names the steps of a training run (see tensor.StartStep): the
// model, so that another run's plans are not replayed, what the step does
// and the batch's shape.
func stepKey(mod nn.Module, what string, shape []int) string {
	return fmt.Sprintf("%s %s %v", stepPrefix(mod), what, shape)
}

// stepPrefix begins the step keys of the training run of mod.
func stepPrefix(mod nn.Module) string { return fmt.Sprintf("pipeline.Train %p", mod) }

// frozen turns gradient tracking off for ps and returns the function that
// turns it back on where it was (a weight frozen for transfer learning
// stays frozen).
func frozen(ps []*autograd.Value) func() {
	was := make([]bool, len(ps))
	for i, p := range ps {
		was[i] = p.RequiresGrad()
		p.SetRequiresGrad(false)
	}
	return func() {
		for i, p := range ps {
			p.SetRequiresGrad(was[i])
		}
	}
}

// retrain loads a trained model's weights (a model folder or its
// .safetensors file) and prepares it for transfer learning as ivadomed's
// set_model_for_retrain.
func retrain(mod nn.Module, path string, fraction float64, reset bool) ([]string, error) {
	weights := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		_, jsonPath, err := config.ReadModelConfig(path)
		if err != nil {
			return nil, err
		}
		if weights, err = modelWeights(jsonPath); err != nil {
			return nil, err
		}
	}
	if err := nn.LoadFile(mod, weights); err != nil {
		return nil, fmt.Errorf("pipeline: training_parameters.transfer_learning.retrain_model %s: %w", path, err)
	}
	frozen, err := nn.Retrain(mod, fraction, reset)
	if err != nil {
		return nil, fmt.Errorf("pipeline: training_parameters.transfer_learning: %w", err)
	}
	return frozen, nil
}

// writeVersionInfo writes version_info.log as ivadomed does: the program's
// version and the machine it ran on (best effort: a failure here is not
// worth stopping a run for).
func writeVersionInfo(dir, version string) {
	if version == "" {
		version = "unknown"
	}
	host, _ := os.Hostname()
	s := fmt.Sprintf("ivadogo %s\n%s %s/%s, %d CPUs, host %s\nstarted %s\n",
		version, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host, time.Now().UTC().Format(time.RFC3339))
	_ = writeAtomic(filepath.Join(dir, "version_info.log"), []byte(s))
}
