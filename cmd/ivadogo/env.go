package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ivadogo/ivadogo/kernels"
)

// The environment variables every command reads at start-up.
const envWinograd = "IVADOGO_WINOGRAD"

func init() { applyEnv(os.Getenv, os.Stderr) }

// applyEnv applies the settings of the environment: IVADOGO_WINOGRAD=0
// (or off, false) runs every 2D 3×3 convolution with the direct kernels
// instead of Winograd's F(4×4, 3×3), for results that match the direct
// sums more closely (see kernels.SetWinograd). A value it cannot read is
// reported on w and ignored.
func applyEnv(getenv func(string) string, w io.Writer) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(envWinograd))); v {
	case "", "1", "on", "true":
		kernels.SetWinograd(true)
	case "0", "off", "false":
		kernels.SetWinograd(false)
	default:
		fmt.Fprintf(w, "ivadogo: %s=%q: want 0/off/false or 1/on/true; Winograd stays on\n", envWinograd, v)
		kernels.SetWinograd(true)
	}
}
