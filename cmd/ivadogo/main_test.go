package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		out    string // substring expected on stdout
		errOut string // substring expected on stderr
	}{
		{args: []string{"version"}, out: "ivadogo " + version},
		{args: []string{"--version"}, out: "ivadogo " + version},
		{args: []string{"help"}, out: "Commands:"},
		{args: []string{"--help"}, out: "version"},
		{args: nil, status: 2, errOut: "Usage:"},
		{args: []string{"frobnicate"}, status: 2, errOut: `unknown command "frobnicate"`},
		{args: []string{"help", "frobnicate"}, status: 2, errOut: `unknown command "frobnicate"`},
		{args: []string{"--nosuch"}, status: 2, errOut: `unknown command "--nosuch"`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		status := run(tt.args, &stdout, &stderr)
		if status != tt.status {
			t.Errorf("run(%q) = %d, want %d (stderr %q)", tt.args, status, tt.status, stderr.String())
		}
		if !strings.Contains(stdout.String(), tt.out) {
			t.Errorf("run(%q) stdout = %q, want it to contain %q", tt.args, stdout.String(), tt.out)
		}
		if !strings.Contains(stderr.String(), tt.errOut) {
			t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, stderr.String(), tt.errOut)
		}
	}
}

func TestCommandFlag(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--train", "-c", "x.json"}, 0},
		{[]string{"-c", "x.json", "--test"}, 2},
		{[]string{"-c", "x.json", "--segment", "--train"}, 2},
		{[]string{"train", "--test"}, -1}, // a named command wins
		{[]string{"-c", "x.json"}, -1},
		{nil, -1},
	}
	for _, tt := range tests {
		if got := commandFlag(tt.args); got != tt.want {
			t.Errorf("commandFlag(%q) = %d, want %d", tt.args, got, tt.want)
		}
	}
}
