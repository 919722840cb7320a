//go:build !purego

package kernels

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// asmBodies maps each TEXT symbol of the package's .s files to its
// instructions, with the package's headers included.
func asmBodies(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly files found: %v", err)
	}
	bodies := map[string][]string{}
	text := regexp.MustCompile(`^TEXT ·(\w+)\(SB\)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Expand the package's own headers where they are included
		// (textflag.h is Go's) and the one-line macros the kernels use.
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if h, ok := strings.CutPrefix(strings.TrimSpace(l), "#include \""); ok {
				if inc, err := os.ReadFile(strings.TrimSuffix(h, "\"")); err == nil {
					lines = append(lines, strings.Split(string(inc), "\n")...)
					continue
				}
			}
			lines = append(lines, l)
		}
		macros := map[string]string{}
		cur := ""
		for i := 0; i < len(lines); i++ {
			l := strings.TrimSpace(lines[i])
			if strings.HasPrefix(l, "#define ") {
				name := strings.Fields(l)[1]
				name = name[:strings.IndexAny(name+"(", "(")]
				body := l
				for strings.HasSuffix(lines[i], "\\") && i+1 < len(lines) {
					i++
					body += "\n" + lines[i]
				}
				macros[name] = body
				continue
			}
			if m := text.FindStringSubmatch(l); m != nil {
				cur = m[1]
				continue
			}
			if cur == "" || l == "" || strings.HasPrefix(l, "//") {
				continue
			}
			bodies[cur] = append(bodies[cur], expandMacros(l, macros, 0)...)
		}
	}
	return bodies
}

// expandMacros returns the statements of line l with the macros that it
// uses expanded, and those that they use, to a depth of 8.
func expandMacros(l string, macros map[string]string, depth int) []string {
	f := strings.Fields(l)
	if len(f) == 0 {
		return nil
	}
	name := f[0][:strings.IndexAny(f[0]+"(", "(")]
	body, ok := macros[name]
	if !ok || depth > 8 {
		return []string{l}
	}
	// The body follows the #define's name (and parameters): on the next
	// lines, or on the same line for a one-line macro.
	if first, rest, ok := strings.Cut(body, "\n"); ok {
		body = rest
	} else {
		body = strings.TrimSpace(strings.TrimPrefix(first, "#define "+f[0]))
	}
	var out []string
	for _, st := range strings.FieldsFunc(body, func(r rune) bool { return r == ';' || r == '\n' }) {
		if st = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(st), "\\")); st != "" {
			out = append(out, expandMacros(st, macros, depth+1)...)
		}
	}
	return out
}

var (
	avx512Reg = regexp.MustCompile(`\b(Z\d+|K[1-7]|[XY](1[6-9]|2\d|3[01]))\b`)
	fmaOp     = regexp.MustCompile(`\bVFN?M(ADD|SUB)`)
)

// The AVX2 tier must reach no AVX-512 instruction, and FMA only through
// kernels installed under the FMA check (the tphakala/simd rule): every
// assembly function the AVX2 tier installs is scanned (its convolution
// gathers are Go), and the AVX-512 tier's are checked to be really
// AVX-512 so this test notices a mix-up.
func TestTierInstructionSets(t *testing.T) {
	bodies := asmBodies(t)
	funcName := func(f reflect.Value) string {
		n := runtime.FuncForPC(f.Pointer()).Name()
		return n[strings.LastIndex(n, ".")+1:]
	}
	defer setTier(tierAVX2)()
	if sgemmKernel == nil || mk != &memAVX2 {
		t.Fatalf("AVX2 tier does not install its own GEMM and memory kernels")
	}
	if convKern.mk != sgemmKernel || convKern.row != nil || convKern.alt != nil {
		t.Fatalf("AVX2 tier's convolution does not run on its own GEMM kernel alone")
	}
	var kerns []reflect.Value
	for _, f := range []any{sgemmKernel.fn, sgemmKernel.packBPanel, convKern.gather, convKern.gatherCols} {
		kerns = append(kerns, reflect.ValueOf(f))
	}
	mv := reflect.ValueOf(*mk)
	for i := 0; i < mv.NumField(); i++ {
		if f := mv.Field(i); f.Kind() == reflect.Func && !f.IsNil() {
			kerns = append(kerns, f)
		}
	}
	for _, f := range kerns {
		name := funcName(f)
		body, ok := bodies[name]
		if !ok && !strings.HasSuffix(name, "Go") && !strings.HasSuffix(name, "Tail") {
			t.Fatalf("AVX2 kernel %s is neither in the assembly nor Go", name)
		}
		for _, ins := range body {
			if avx512Reg.MatchString(ins) {
				t.Errorf("AVX2 kernel %s uses an AVX-512 register: %s", name, ins)
			}
		}
		if !hasAVX2FMA && len(body) > 0 {
			t.Errorf("AVX2 tier available without FMA3")
		}
	}
	for name, body := range bodies {
		usesFMA, uses512 := false, false
		for _, ins := range body {
			usesFMA = usesFMA || fmaOp.MatchString(ins)
			uses512 = uses512 || avx512Reg.MatchString(ins)
		}
		if strings.HasSuffix(name, "AVX512") != uses512 && !strings.HasPrefix(name, "iota") {
			t.Errorf("%s: name says AVX-512 = %v, body uses AVX-512 = %v", name, strings.HasSuffix(name, "AVX512"), uses512)
		}
		if usesFMA && !strings.HasSuffix(name, "AVX512") && !strings.HasSuffix(name, "AVX2") {
			t.Errorf("%s uses FMA but belongs to no FMA-checked tier", name)
		}
	}
}
