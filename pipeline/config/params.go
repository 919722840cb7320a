package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
)

// registry maps the names of losses, transforms or post-processing steps
// to constructors of their parameter structs (pointers to structs whose
// json tags are the keyword arguments, filled with the defaults).
type registry struct {
	what string
	mu   sync.RWMutex
	make map[string]func() any
}

func (r *registry) register(name string, newParams func() any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.make[name]; dup {
		panic(fmt.Sprintf("config: %s %q registered twice", r.what, name))
	}
	p := newParams()
	if v := reflect.ValueOf(p); v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("config: %s %q: parameters must be a pointer to a struct, got %T", r.what, name, p))
	}
	r.make[name] = newParams
}

func (r *registry) lookup(name string) func() any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.make[name]
}

func (r *registry) names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ns := make([]string, 0, len(r.make))
	for n := range r.make {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// decodeParams decodes the members of object n (except those in skip)
// into the fields of the struct params points to. Unknown keys are
// reported with owner's name and its valid keys; fields tagged
// `required:"true"` must be present.
func (d *decoder) decodeParams(n *node, path, owner string, params any, skip ...string) {
	v := reflect.ValueOf(params).Elem()
	fs := fieldsOf(v.Type())
	seen := map[string]bool{}
	var names []string
	for _, f := range fs {
		names = append(names, f.name)
	}
	for i, key := range n.keys {
		if slices.Contains(skip, key) {
			continue
		}
		j := slices.IndexFunc(fs, func(f field) bool { return f.name == key })
		if j < 0 {
			msg := fmt.Sprintf("unknown key for %s", owner)
			if s := nearest(key, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else if len(names) == 0 {
				msg += fmt.Sprintf("; %s takes no parameters", owner)
			} else {
				msg += "; its keys are " + quoteList(names)
			}
			d.errorAtKey(n.vals[i], join(path, key), "%s", msg)
			continue
		}
		seen[key] = true
		d.decode(n.vals[i], v.FieldByIndex(fs[j].index), join(path, key), fs[j].enum)
	}
	for _, f := range fs {
		sf := v.Type().FieldByIndex(f.index)
		if sf.Tag.Get("required") == "true" && !seen[f.name] {
			d.errorf(n, join(path, f.name), "missing key: %s needs %q", owner, f.name)
		}
	}
}

// writeParams appends the fields of the struct p points to as JSON
// members ("key":value,...), each preceded by a comma.
func writeParams(b *bytes.Buffer, p any) error {
	if p == nil {
		return nil
	}
	v := reflect.ValueOf(p)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for _, f := range fieldsOf(v.Type()) {
		fv := v.FieldByIndex(f.index)
		sf := v.Type().FieldByIndex(f.index)
		if strings.Contains(sf.Tag.Get("json"), ",omitempty") && fv.IsZero() {
			continue
		}
		val, err := json.Marshal(fv.Interface())
		if err != nil {
			return err
		}
		k, _ := json.Marshal(f.name)
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	return nil
}
