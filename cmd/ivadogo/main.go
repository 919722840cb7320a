// Command ivadogo trains, evaluates and runs segmentation models on
// medical images organised as BIDS, and inspects the files it works on.
//
// Each subcommand lives in its own file and registers itself in init, so
// that adding a command never touches this file.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// version is set at link time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// command is one subcommand of the ivadogo binary.
type command struct {
	name    string
	summary string
	// run receives the arguments after the subcommand name and the
	// streams to use; it returns the process exit status.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

// register adds a subcommand; it is called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ivadogo: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func init() {
	register(&command{name: "version", summary: "print the version", run: runVersion})
	register(&command{name: "help", summary: "show this help, or a command's help", run: runHelp})
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches args to a subcommand. ivadomed's spellings --train,
// --test and --segment are accepted as the subcommands of the same name.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help":
		usage(stdout)
		return 0
	case "--version", "-version":
		name = "version"
	default:
		// ivadomed takes its command as a flag anywhere on the line
		// (ivadomed -c config.json --train); accept the same.
		if i := commandFlag(args); i >= 0 {
			name = strings.TrimPrefix(args[i], "--")
			args = append([]string{name}, append(args[:i:i], args[i+1:]...)...)
		}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "ivadogo: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

// commandFlag returns the index of ivadomed's --train, --test or
// --segment in args, or -1. Only the first argument may name a command
// without dashes, so this applies when args[0] is a flag.
func commandFlag(args []string) int {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return -1
	}
	for i, a := range args {
		switch a {
		case "--train", "--test", "--segment":
			return i
		}
	}
	return -1
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "ivadogo %s: deep learning for medical image segmentation\n\nUsage:\n  ivadogo <command> [arguments]\n\nCommands:\n", version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun \"ivadogo help <command>\" or \"ivadogo <command> -h\" for a command's flags.\n")
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "ivadogo %s\n", version)
	return 0
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ivadogo help: unknown command %q\n", args[0])
		return 2
	}
	return c.run([]string{"-h"}, stdout, stderr)
}
