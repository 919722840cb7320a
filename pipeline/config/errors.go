package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a config file: where it is (file, line, column
// and the dotted key path, e.g. training_parameters.scheduler.lr_scheduler.name)
// and what was expected.
type Error struct {
	File string
	Path string
	Line int // 0 when the position is unknown
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one config, in file order. A user
// fixing a config wants all of its typos at once, not one per run.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "config: no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d errors:", len(l))
	for _, e := range l {
		b.WriteString("\n  ")
		b.WriteString(strings.TrimPrefix(e.Error(), "config: "))
	}
	return b.String()
}

// Unwrap lets errors.As find the individual errors.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

func (l ErrorList) sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
	return l
}

// withFile sets the file name on every error that lacks one.
func withFile(err error, file string) error {
	switch e := err.(type) {
	case *Error:
		if e.File == "" {
			e.File = file
		}
	case ErrorList:
		for _, x := range e {
			if x.File == "" {
				x.File = file
			}
		}
	}
	return err
}

// nearest returns the candidate closest to word in edit distance, when it
// is close enough to be a likely typo ("nme" for "name", "batchsize" for
// "batch_size"), or "" otherwise.
func nearest(word string, candidates []string) string {
	best, bestD := "", -1
	lw := strings.ToLower(word)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(lw, lc)
		// Separators are the commonest slip: batch-size, batchSize, batchsize.
		if strings.ReplaceAll(strings.ReplaceAll(lw, "-", ""), "_", "") == strings.ReplaceAll(lc, "_", "") {
			d = 0
		}
		// A shortened or lengthened form: "valid" for "validation".
		if len(lw) >= 4 && len(lc) >= 4 && (strings.HasPrefix(lw, lc) || strings.HasPrefix(lc, lw)) {
			d = min(d, 1)
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(word) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD < 0 || bestD > limit || bestD >= len(word) {
		return ""
	}
	return best
}

// distance is the optimal-string-alignment edit distance (Levenshtein plus
// transposition of two adjacent characters).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return len(ra) + len(rb)
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
