package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/losses"
	// The transforms beyond ivadomed's register their parameters with the
	// config parser when the package is linked.
	_ "github.com/ivadogo/ivadogo/pipeline/transforms"
)

func init() {
	register(&command{name: "config", summary: "show or check an ivadomed config merged over the defaults", run: runConfig})
}

// runConfig is "ivadogo config show|check -c FILE [-pd DIR...] [-po DIR]".
// The flags are parsed by config.ParseArgs rather than package flag
// because ivadomed's -pd takes several folders, which flag cannot express.
func runConfig(args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  ivadogo config show -c FILE [-pd DIR...] [-po DIR]\n  ivadogo config check -c FILE [-pd DIR...] [-po DIR]\n  ivadogo config schema\n\n"+
			"show prints the config merged over ivadomed's defaults, legacy keys\n"+
			"upgraded, as JSON (what train saves as config_file.json); check only\n"+
			"reports problems. Both exit 1 if the config has errors. schema prints\n"+
			"a JSON Schema of configs, for editors that check JSON as it is typed.\n\nFlags:\n%s", config.Usage("show"))
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return 0
	case "schema":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "ivadogo config schema: takes no arguments\n")
			return 2
		}
		b, err := config.Schema()
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo config: %v\n", err)
			return 1
		}
		stdout.Write(append(b, '\n'))
		return 0
	case "show", "check":
	default:
		fmt.Fprintf(stderr, "ivadogo config: unknown subcommand %q\n", sub)
		usage(stderr)
		return 2
	}
	a, err := config.ParseArgs(sub, args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	if a.Help {
		usage(stdout)
		return 0
	}
	c, err := config.ReadFile(a.Config)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	c.Apply(a.Overrides())
	for _, n := range c.Notices {
		fmt.Fprintf(stderr, "ivadogo config: %s: %s\n", a.Config, n)
	}
	verr := c.Validate()
	if verr == nil {
		verr = c.CheckFeatures(featureBuilt)
	}
	if verr == nil {
		verr = pipeline.CheckRetrain(c)
	}
	if sub == "show" {
		out, err := c.MarshalIndent()
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo config: %v\n", err)
			return 1
		}
		stdout.Write(append(out, '\n'))
	}
	if verr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", a.Config, verr)
		return 1
	}
	if sub == "check" {
		fmt.Fprintf(stdout, "%s: ok\n", a.Config)
	}
	return 0
}

// featureBuilt is built, replaceable in tests.
var featureBuilt = built

// built reports whether this binary implements a feature a config asks
// for, where a registry says so: models (nn.Build) and losses. Transforms
// and post-processing steps the parser accepts are all built; the other
// features are checked by the commands that use them.
func built(feature string) bool {
	kind, name, _ := strings.Cut(feature, ":")
	switch kind {
	case "model":
		if name == "Unet3D" {
			name = "Unet"
		}
		return slices.Contains(nn.ModelNames(), name)
	case "loss":
		return slices.Contains(losses.Names(), name)
	}
	return true
}
