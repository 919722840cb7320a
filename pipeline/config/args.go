package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Args are the command-line arguments of ivadogo train, test and segment
// (and config show/check), spelled as ivadomed spells them: -c/--config,
// -pd/--path-data (several folders), -po/--path-output, -g/--gif,
// -t/--thr-increment, --resume-training, --no-patch, --overlap-2d X Y, and
// for segment without a config the flags of ivadomed_segment_image:
// -i/--image (several files are the channels of one input), -m/--model,
// -s/--suffix, plus -o/--output for the output folder.
type Args struct {
	Command      string   // "train", "test", "segment", "show" or "check"
	Config       string   // -c: the config file; "" for train means the quickstart
	PathData     []string // -pd
	PathOutput   string   // -po
	GIF          int      // -g: number of validation slices animated per epoch
	ThrIncrement float64  // -t: threshold sweep step; 0 is off
	Resume       bool     // --resume-training (also --resume)
	NoPatch      bool     // --no-patch: segment whole 2D slices
	Overlap2D    []int    // --overlap-2d X Y: 2D patch overlap at segment time
	Images       []string // -i
	Model        string   // -m: model folder
	Output       string   // -o: output folder of segment -i
	Suffix       string   // -s: output suffix, default "_pred"
	PixelSize    string   // --pixel-size: microscopy pixel size where the sidecar has none
	Help         bool     // -h/--help
}

// flagSpec describes one flag: its spellings, how many values it takes
// (-1: one or more) and which commands accept it.
type flagSpec struct {
	names    []string
	nargs    int
	commands string
	help     string
	set      func(a *Args, vals []string) error
}

var flagSpecs = []flagSpec{
	{[]string{"-c", "--config"}, 1, "train test segment show check", "config JSON file (train without -c runs the quickstart)",
		func(a *Args, v []string) error { a.Config = v[0]; return nil }},
	{[]string{"-pd", "--path-data"}, -1, "train test segment show check", "BIDS dataset folder(s), overriding loader_parameters.path_data",
		func(a *Args, v []string) error { a.PathData = append(a.PathData, v...); return nil }},
	{[]string{"-po", "--path-output"}, 1, "train test segment show check", "output folder, overriding path_output",
		func(a *Args, v []string) error { a.PathOutput = v[0]; return nil }},
	{[]string{"-g", "--gif"}, 1, "train", "number of validation slices saved as GIFs (one frame per epoch)",
		func(a *Args, v []string) error { return intArg(&a.GIF, v[0], 0) }},
	{[]string{"-t", "--thr-increment"}, 1, "train test", "step of the threshold sweep run after training (e.g. 0.1)",
		func(a *Args, v []string) error {
			f, err := strconv.ParseFloat(v[0], 64)
			if err != nil || !(f > 0 && f < 1) {
				return fmt.Errorf("needs a step in (0, 1), got %q", v[0])
			}
			a.ThrIncrement = f
			return nil
		}},
	{[]string{"--resume-training", "--resume"}, 0, "train", "continue from the checkpoint in the output folder",
		func(a *Args, v []string) error { a.Resume = true; return nil }},
	{[]string{"--no-patch"}, 0, "segment", "segment whole 2D slices of a model trained on patches",
		func(a *Args, v []string) error { a.NoPatch = true; return nil }},
	{[]string{"--overlap-2d"}, 2, "segment", "overlap X Y in pixels between 2D patches",
		func(a *Args, v []string) error {
			a.Overlap2D = make([]int, 2)
			for i := range 2 {
				if err := intArg(&a.Overlap2D[i], v[i], 0); err != nil {
					return err
				}
			}
			return nil
		}},
	{[]string{"-i", "--image"}, -1, "segment", "image(s) to segment; several files are the channels of one input",
		func(a *Args, v []string) error { a.Images = append(a.Images, v...); return nil }},
	{[]string{"-m", "--model"}, 1, "segment", "model folder (weights and config JSON written by train)",
		func(a *Args, v []string) error { a.Model = v[0]; return nil }},
	{[]string{"-o", "--output"}, 1, "segment", "output folder for segment -i (default: the current folder)",
		func(a *Args, v []string) error { a.Output = v[0]; return nil }},
	{[]string{"-s", "--suffix"}, 1, "segment", "suffix of the output files (default _pred)",
		func(a *Args, v []string) error { a.Suffix = v[0]; return nil }},
	{[]string{"--pixel-size"}, 1, "segment", "pixel size of microscopy images with no PixelSize sidecar: µm (0.1), or with a unit (0.1um, 100nm), or X,Y",
		func(a *Args, v []string) error { a.PixelSize = v[0]; return nil }},
	{[]string{"-h", "--help", "-help"}, 0, "train test segment show check", "show this help",
		func(a *Args, v []string) error { a.Help = true; return nil }},
}

func intArg(dst *int, s string, min int) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		return fmt.Errorf("needs an integer >= %d, got %q", min, s)
	}
	*dst = n
	return nil
}

// ParseArgs parses the arguments of command ("train", "test", "segment",
// "show" or "check"). ivadomed's --train, --test and --segment are
// accepted anywhere and must agree with command.
func ParseArgs(command string, args []string) (*Args, error) {
	a := &Args{Command: command, Suffix: "_pred"}
	// What errors call the command: show and check are config's.
	prog := "ivadogo " + command
	if command == "show" || command == "check" {
		prog = "ivadogo config " + command
	}
	var allowed []string
	for _, f := range flagSpecs {
		if slices.Contains(strings.Fields(f.commands), command) {
			allowed = append(allowed, f.names...)
		}
	}
	if allowed == nil {
		return nil, fmt.Errorf("ivadogo: unknown command %q", command)
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--train" || arg == "--test" || arg == "--segment" {
			if c := arg[2:]; c != command {
				return nil, fmt.Errorf("%s: %s contradicts the command %q", prog, arg, command)
			}
			continue
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			return nil, fmt.Errorf("%s: unexpected argument %q (flags start with -; see %s -h)", prog, arg, prog)
		}
		name, inline, hasInline := strings.Cut(arg, "=")
		spec := findFlag(name)
		if spec == nil || !slices.Contains(allowed, name) {
			msg := fmt.Sprintf("%s: unknown flag %s", prog, name)
			if spec != nil {
				msg = fmt.Sprintf("%s: %s is not a flag of %s", prog, name, command)
			} else if s := nearest(name, allowed); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			}
			return nil, fmt.Errorf("%s", msg)
		}
		var vals []string
		switch {
		case spec.nargs == 0:
			if hasInline {
				return nil, fmt.Errorf("%s: %s takes no value", prog, name)
			}
		case hasInline:
			vals = []string{inline}
		default:
			for i+1 < len(args) && (spec.nargs < 0 || len(vals) < spec.nargs) && !isFlag(args[i+1]) {
				i++
				vals = append(vals, args[i])
			}
		}
		if hasInline && spec.nargs > 1 {
			return nil, fmt.Errorf("%s: %s takes %d values separated by spaces", prog, name, spec.nargs)
		}
		if spec.nargs > 0 && len(vals) != spec.nargs || spec.nargs < 0 && len(vals) == 0 {
			want := "a value"
			if spec.nargs > 1 {
				want = fmt.Sprintf("%d values", spec.nargs)
			}
			return nil, fmt.Errorf("%s: %s needs %s", prog, name, want)
		}
		if err := spec.set(a, vals); err != nil {
			return nil, fmt.Errorf("%s: %s %w", prog, name, err)
		}
	}
	if a.Help {
		return a, nil
	}
	switch command {
	case "test", "show", "check":
		if a.Config == "" {
			return nil, fmt.Errorf("%s: -c CONFIG is required", prog)
		}
	case "segment":
		if a.Config == "" && (len(a.Images) == 0 || a.Model == "") {
			return nil, fmt.Errorf("ivadogo segment: give -c CONFIG, or -i IMAGE... with -m MODEL_DIR")
		}
		if a.Config != "" && (len(a.Images) > 0 || a.Model != "") {
			return nil, fmt.Errorf("ivadogo segment: -c segments the dataset of a config; -i/-m segment files: use one or the other")
		}
	}
	return a, nil
}

// isFlag tells a flag from a value: negative numbers are values.
func isFlag(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil
}

func findFlag(name string) *flagSpec {
	for i := range flagSpecs {
		if slices.Contains(flagSpecs[i].names, name) {
			return &flagSpecs[i]
		}
	}
	return nil
}

// Overrides returns the values of the arguments that win over the config.
func (a *Args) Overrides() Overrides {
	o := Overrides{PathData: a.PathData, PathOutput: a.PathOutput}
	switch a.Command {
	case "train", "test", "segment":
		o.Command = a.Command
	}
	return o
}

// Usage returns the help text of command's flags.
func Usage(command string) string {
	var b strings.Builder
	for _, f := range flagSpecs {
		if !slices.Contains(strings.Fields(f.commands), command) {
			continue
		}
		spell := strings.Join(f.names, ", ")
		switch {
		case f.nargs == 1:
			spell += " VALUE"
		case f.nargs == 2:
			spell += " X Y"
		case f.nargs < 0:
			spell += " VALUE..."
		}
		fmt.Fprintf(&b, "  %-30s %s\n", spell, f.help)
	}
	return b.String()
}
