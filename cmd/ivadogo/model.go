package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ivadogo/ivadogo/bench"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

func init() {
	register(&command{name: "model", summary: "describe a model: layers, output shapes, parameters, conv GFLOPs", run: runModel})
	// ivadogo bench times the whole-model cases with the step of nn.PeerStep.
	bench.Register("model", func(c bench.Case) (func(), error) {
		prefix, training := strings.CutSuffix(c.Name, "_train")
		if !training {
			var ok bool
			if prefix, ok = strings.CutSuffix(c.Name, "_infer"); !ok {
				return nil, fmt.Errorf("model case %q is neither _train nor _infer", c.Name)
			}
		}
		nn.SetSeed(0)
		m, err := nn.PeerModel(prefix)
		if err != nil {
			return nil, err
		}
		train, infer := nn.PeerStep(m, c.Input)
		if training {
			return train, nil
		}
		return infer, nil
	})
}

const modelUsage = `Usage:
  ivadogo model summary -c CONFIG.json [--input NxCxHxW[xD]] [--json]
  ivadogo model summary --model NAME [--options JSON] [--input ...] [--json]

Builds the model a config file trains (default_model with the applied model
section merged over it, as ivadomed does) or a model named on the command
line (%s), runs one forward pass on zeros of the input size and prints a
table of its layers with output shapes, parameter counts and convolution
GFLOPs. --options takes the model's keys as ivadomed spells them, e.g.
'{"depth": 4, "n_filters": 32}'.

Flags:
`

// runModel dispatches the model subcommands (only summary for now).
func runModel(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "summary" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(stdout, modelUsage, strings.Join(nn.ModelNames(), ", "))
			return 0
		}
		fmt.Fprintf(stderr, modelUsage, strings.Join(nn.ModelNames(), ", "))
		return 2
	}
	fs := flag.NewFlagSet("model summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("c", "", "ivadomed config file")
	fs.StringVar(cfgPath, "config", "", "ivadomed config file (same as -c)")
	name := fs.String("model", "", "model name, when no config is given")
	opts := fs.String("options", "", "model options as a JSON object (ivadomed key names)")
	input := fs.String("input", "", "input shape N×C×spatial, e.g. 1x1x128x128 (default: from the config's patch size, else 128² or 128×128×16)")
	nMeta := fs.Int("n-metadata", 0, "FiLM: number of metadata values (default: from the config's metadata type)")
	asJSON := fs.Bool("json", false, "print one JSON object (parameters, layers, …)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, modelUsage, strings.Join(nn.ModelNames(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ivadogo model summary: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if (*cfgPath == "") == (*name == "") {
		fmt.Fprintln(stderr, "ivadogo model summary: give either -c CONFIG or --model NAME")
		return 2
	}
	var (
		model   string
		options json.RawMessage
		shape   []int
		err     error
	)
	if *cfgPath != "" {
		model, options, shape, err = modelFromConfig(*cfgPath, *nMeta)
	} else {
		model, options = *name, json.RawMessage(*opts)
		if *nMeta > 0 {
			options, err = setOption(options, "n_metadata", *nMeta)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo model summary: %v\n", err)
		return 1
	}
	m, err := nn.Build(model, options)
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo model summary: %v\n", err)
		return 1
	}
	if *input != "" {
		if shape, err = parseShape(*input); err != nil {
			fmt.Fprintf(stderr, "ivadogo model summary: --input: %v\n", err)
			return 2
		}
	}
	if shape == nil {
		shape = defaultInput(m)
	}
	s, err := nn.Summarize(model, m, shape)
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo model summary: %v\n", err)
		return 1
	}
	if *asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo model summary: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	if err := s.WriteTable(stdout); err != nil {
		return 1
	}
	return 0
}

// parseShape reads "1x1x128x128" (or with commas).
func parseShape(s string) ([]int, error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == 'x' || r == 'X' || r == ',' || r == '×' })
	if len(f) < 3 || len(f) > 5 {
		return nil, fmt.Errorf("%q: want N×C and 1 to 3 spatial sizes, e.g. 1x1x128x128", s)
	}
	out := make([]int, len(f))
	for i, v := range f {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: %q is not a positive integer", s, v)
		}
		out[i] = n
	}
	return out, nil
}

// defaultInput is one sample of a common size for the model's kind.
// defaultInput is one zero image for m: as many channels as its first
// convolution takes (a HeMISUnet's per contrast), 128² in 2D and
// 128×128×16 in 3D, each size rounded up to what the model's strides
// divide (a 3D PlainUnet's five stride-2 stages need 32).
func defaultInput(m nn.Module) []int {
	shape := []int{1, 1, 128, 128}
	for _, p := range nn.Parameters(m) {
		if sh := p.Shape(); len(sh) == 4 || len(sh) == 5 {
			shape[1] = sh[1]
			if len(sh) == 5 {
				shape = append(shape, 16)
			}
			break
		}
	}
	if pu, ok := m.(*nn.PlainUnet); ok {
		for a := range shape[2:] {
			mult := 1
			for _, st := range pu.Config.Strides {
				mult *= st[a]
			}
			shape[2+a] = (shape[2+a] + mult - 1) / mult * mult
		}
	}
	return shape
}

func setOption(o json.RawMessage, key string, v any) (json.RawMessage, error) {
	m := map[string]any{}
	if len(strings.TrimSpace(string(o))) > 0 {
		if err := json.Unmarshal(o, &m); err != nil {
			return nil, fmt.Errorf("--options: %w", err)
		}
	}
	m[key] = v
	return json.Marshal(m)
}

// modelFromConfig returns the model name, its options in ivadomed's key
// names and the input shape of one training sample, as ivadomed derives
// them from a config (main.py: in_channel from multichannel, out_channel
// from target_suffix plus a background class when there are several).
func modelFromConfig(path string, nMeta int) (string, json.RawMessage, []int, error) {
	c, err := config.ReadFile(path)
	if err != nil {
		return "", nil, nil, err
	}
	mp, film, err := c.ModelParams()
	if err != nil {
		return "", nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	in := 1
	if c.Loader.Multichannel {
		in = len(c.Loader.ContrastParams.TrainingValidation)
	}
	if mp.InChannel > 0 {
		in = mp.InChannel
	}
	out := len(c.Loader.TargetSuffix.Classes)
	if out > 1 {
		out++
	}
	if mp.OutChannel > 0 {
		out = mp.OutChannel
	}
	out = max(out, 1)
	name := mp.Name
	o := map[string]any{"in_channel": in, "out_channel": out, "dropout_rate": mp.DropoutRate, "bn_momentum": mp.BNMomentum}
	if mp.FinalActivation != "" {
		o["final_activation"] = mp.FinalActivation
	}
	var shape []int
	switch name {
	case "Modified3DUNet", "UNet3D":
		name = "Modified3DUNet"
		o["n_filters"] = mp.NFilters
		o["attention"] = mp.Attention
		if len(mp.Length3D) == 3 {
			shape = append([]int{1, in}, mp.Length3D...)
		}
	case "HeMISUnet":
		o = map[string]any{"out_channel": out, "depth": mp.Depth, "dropout_rate": mp.DropoutRate,
			"bn_momentum": mp.BNMomentum, "contrasts": mp.Contrasts}
		if len(mp.Contrasts) == 0 {
			o["contrasts"] = c.Loader.ContrastParams.TrainingValidation
		}
	default:
		o["depth"] = mp.Depth
		o["n_filters"] = mp.NFilters
		o["is_2d"] = mp.Is2D
		if len(mp.Length2D) == 2 {
			shape = append([]int{1, in}, mp.Length2D...)
		}
		if !mp.Is2D && len(mp.Length3D) == 3 {
			shape = append([]int{1, in}, mp.Length3D...)
		}
	}
	if film {
		if name == "Unet" {
			name = "FiLMedUnet"
		}
		o["film_layers"] = mp.FilmLayers
		if nMeta <= 0 {
			// A trained model's config records the size of its metadata.
			nMeta = mp.NMetadata
		}
		if nMeta <= 0 {
			switch mp.Metadata {
			case "contrasts":
				nMeta = len(c.Loader.ContrastParams.TrainingValidation)
			case "mri_params":
				nMeta = 3 // RepetitionTime, EchoTime, FlipAngle
			default:
				return "", nil, nil, fmt.Errorf("%s: FiLM metadata %q: its size depends on the data; give --n-metadata", path, mp.Metadata)
			}
		}
		o["n_metadata"] = nMeta
	}
	b, err := json.Marshal(o)
	return name, b, shape, err
}
