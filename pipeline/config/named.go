package config

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The transformation and postprocessing sections share one form: an
// object whose keys name entries of a registry, in the order they run,
// each holding an object of parameters.

// decodeNamed decodes such a section: for each entry whose name lookup
// knows, add gets the entry's node, path and fresh default parameters;
// unknown names (with the nearest known one) and values that are not
// objects are reported. want is the section's expected type, kind and
// kinds name an entry and the entries in messages. It reports whether n
// was an object at all.
func (d *decoder) decodeNamed(n *node, path, want, kind, kinds string, lookup func(string) func() any, names func() []string, add func(name string, v *node, p string, params any)) bool {
	if n.kind != kindObject {
		d.typeErr(n, path, want)
		return false
	}
	for i, name := range n.keys {
		v, p := n.vals[i], join(path, name)
		mk := lookup(name)
		if mk == nil {
			msg := fmt.Sprintf("unknown %s %q", kind, name)
			if s := nearest(name, names()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known " + kinds + ": " + quoteList(names())
			}
			d.errorAtKey(v, p, "%s", msg)
			continue
		}
		if v.kind != kindObject {
			d.typeErr(v, p, "an object of parameters ({} for none)")
			continue
		}
		add(name, v, p, mk())
	}
	return true
}

// marshalNamed writes n entries as such a section, in their order:
// entry i gives its name and parameters and may first write fields of
// its own to head, each led by a comma.
func marshalNamed(n int, entry func(i int, head *bytes.Buffer) (name string, params any)) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		var pb bytes.Buffer
		name, params := entry(i, &pb)
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteString(":{")
		if err := writeParams(&pb, params); err != nil {
			return nil, err
		}
		if pb.Len() > 0 {
			b.Write(pb.Bytes()[1:])
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
