package bids

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// inherited lists the JSON sidecars that apply to im under the BIDS
// inheritance principle: in the dataset root and every folder down to the
// image's, a .json file applies when its suffix is the image's and each of
// its entities is also an entity of the image with the same value. Files
// in the same folder are ordered by number of entities (fewer first) so
// that the more specific one overrides, as pybids does.
func (d *Dataset) inherited(im *Image) []string {
	var out []string
	dirs := []string{"."}
	p := path.Dir(im.Path)
	var chain []string
	for p != "." && p != "/" && p != "" {
		chain = append(chain, p)
		p = path.Dir(p)
	}
	slices.Reverse(chain)
	dirs = append(dirs, chain...)
	for _, dir := range dirs {
		var level []string
		var nents []int
		for _, f := range d.jsonByDir[dir] {
			n := ParseName(f)
			if n.Suffix != im.Suffix || !n.HasSuffix() || !entitiesSubset(n.Entities, im.Entities) {
				continue
			}
			rel := f
			if dir != "." {
				rel = dir + "/" + f
			}
			level = append(level, rel)
			nents = append(nents, len(n.Entities))
		}
		if len(level) > 1 {
			idx := make([]int, len(level))
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int { return nents[a] - nents[b] })
			sorted := make([]string, len(level))
			for i, j := range idx {
				sorted[i] = level[j]
			}
			level = sorted
			for i := 1; i < len(nents); i++ {
				if nents[idx[i]] == nents[idx[i-1]] {
					d.warn(im.Path, "sidecars %s and %s apply at the same level; the result depends on their order", level[i-1], level[i])
				}
			}
		}
		out = append(out, level...)
	}
	// The same-stem sidecar is listed whether or not it applies under the
	// rules above (a name without suffix has no inheritance chain).
	dir := path.Dir(im.Path)
	if slices.Contains(d.jsonByDir[dir], im.Stem+".json") {
		im.Sidecar = dir + "/" + im.Stem + ".json"
		if !slices.Contains(out, im.Sidecar) {
			out = append(out, im.Sidecar)
		}
	}
	return out
}

func entitiesSubset(sub, of []Entity) bool {
	for _, e := range sub {
		found := false
		for _, f := range of {
			if f.Key == e.Key {
				if f.Value != e.Value {
					return false
				}
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Metadata returns the sidecar metadata of an image: the JSON objects of
// im.Sidecars merged in order, later keys overriding earlier ones. Numbers
// are json.Number, so integers and floats keep their written form. A
// sidecar that cannot be read or is not a JSON object is skipped, with one
// warning naming it. The result is cached and shared: do not modify it.
func (d *Dataset) Metadata(im *Image) map[string]any {
	if m, ok := d.metaCache[im.Path]; ok {
		return m
	}
	m := map[string]any{}
	for _, s := range im.Sidecars {
		for k, v := range d.readJSON(s) {
			m[k] = v
		}
	}
	d.metaCache[im.Path] = m
	return m
}

type jsonResult struct {
	obj map[string]any
	err error
}

// readJSON returns a sidecar's object (nil if it cannot be used).
func (d *Dataset) readJSON(rel string) map[string]any {
	if r, ok := d.jsonCache[rel]; ok {
		return r.obj
	}
	obj, err := decodeJSONFile(d.Abs(rel))
	d.storeJSON(rel, jsonResult{obj, err})
	return obj
}

func (d *Dataset) storeJSON(rel string, r jsonResult) {
	d.jsonCache[rel] = r
	if r.err != nil {
		d.warn(rel, "%v", r.err)
	}
}

func decodeJSONFile(p string) (map[string]any, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("not valid JSON (want an object): %v", err)
	}
	return obj, nil
}

// preload reads the sidecars of images not read yet, concurrently: with
// thousands of images the time goes into opening files.
func (d *Dataset) preload(images []*Image) {
	var todo []string
	seen := map[string]bool{}
	for _, im := range images {
		for _, s := range im.Sidecars {
			if _, ok := d.jsonCache[s]; !ok && !seen[s] {
				seen[s] = true
				todo = append(todo, s)
			}
		}
	}
	res := make([]jsonResult, len(todo))
	parallel(len(todo), func(i int) {
		obj, err := decodeJSONFile(d.Abs(todo[i]))
		res[i] = jsonResult{obj, err}
	})
	for i, s := range todo {
		d.storeJSON(s, res[i])
	}
}

// parallel calls fn(0..n-1) on a few goroutines.
func parallel(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// validate records how a raw image's name bends the specification: the
// sub entity must come first and match its folder, a ses entity must match
// a ses-<label> folder, labels must be alphanumeric, keys must not repeat,
// and there must be a suffix.
func (d *Dataset) validate(im *Image) {
	if msg := im.problem(); msg != "" {
		d.warn(im.Path, "%s", msg)
	}
}

// problem returns what makes a raw image's name invalid BIDS, or "".
func (im *Image) problem() string {
	parts := strings.Split(im.Path, "/")
	if len(im.Entities) == 0 || im.Entities[0].Key != "sub" {
		return "file name does not start with sub-<label>"
	}
	if folder := strings.TrimPrefix(parts[0], "sub-"); im.Entities[0].Value != folder {
		return fmt.Sprintf("sub-%s in the name but filed under %s", im.Entities[0].Value, parts[0])
	}
	if len(parts) > 2 && strings.HasPrefix(parts[1], "ses-") {
		if v, ok := im.Get("ses"); !ok || v != parts[1][len("ses-"):] {
			return fmt.Sprintf("filed under %s but its name has no matching ses entity", parts[1])
		}
	}
	if !im.HasSuffix() || im.Suffix == "" {
		return "no suffix (the last '_' token must have no '-')"
	}
	if len(im.Bare) > 0 {
		return fmt.Sprintf("token %q is neither key-value nor the suffix", im.Bare[0].Token)
	}
	seen := map[string]bool{}
	for _, e := range im.Entities {
		if seen[e.Key] {
			return fmt.Sprintf("entity %q repeated", e.Key)
		}
		seen[e.Key] = true
		if !alnum(e.Key) || !alnum(e.Value) {
			return fmt.Sprintf("entity %s-%s: keys and labels must be alphanumeric", e.Key, e.Value)
		}
	}
	return ""
}

func alnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Valid reports whether a raw image's name follows the specification (see
// Dataset.Warnings for why not).
func (im *Image) Valid() bool { return im.problem() == "" }
