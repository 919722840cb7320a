package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/kernels"
)

func TestApplyEnvWinograd(t *testing.T) {
	defer kernels.SetWinograd(true)
	for _, c := range []struct {
		v    string
		on   bool
		warn bool
	}{{"", true, false}, {"0", false, false}, {"off", false, false}, {" FALSE ", false, false}, {"1", true, false}, {"on", true, false}, {"maybe", true, true}} {
		var w bytes.Buffer
		kernels.SetWinograd(!c.on)
		applyEnv(func(k string) string {
			if k == envWinograd {
				return c.v
			}
			return ""
		}, &w)
		if got := kernels.SetWinograd(true); got != c.on {
			t.Errorf("%s=%q: Winograd on = %v, want %v", envWinograd, c.v, got, c.on)
		}
		if warned := strings.Contains(w.String(), envWinograd); warned != c.warn {
			t.Errorf("%s=%q: warning %q, want one: %v", envWinograd, c.v, w.String(), c.warn)
		}
	}
}
