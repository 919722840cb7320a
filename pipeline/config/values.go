package config

import (
	"encoding/json"
	"reflect"
	"strconv"
)

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

// Strings is a list of strings that may be written as one string
// ("path_data": "data/" means ["data/"]).
type Strings []string

func (s *Strings) decodeTree(d *decoder, n *node, path string) {
	if n.kind == kindString {
		*s = Strings{n.str}
		return
	}
	var l []string
	d.decode(n, reflect.ValueOf(&l).Elem(), path, nil)
	*s = l
}

// Values is a list of column values; numbers are kept as the text they
// were written with, since they are compared with TSV cells.
type Values []string

func (v *Values) decodeTree(d *decoder, n *node, path string) {
	if n.kind == kindNull {
		*v = Values{}
		return
	}
	if n.kind != kindArray {
		d.typeErr(n, path, "a list of strings or numbers")
		return
	}
	out := make(Values, len(n.arr))
	for i, e := range n.arr {
		switch e.kind {
		case kindString:
			out[i] = e.str
		case kindNumber:
			out[i] = e.num.String()
		default:
			d.typeErr(e, path+"["+strconv.Itoa(i)+"]", "a string or a number")
		}
	}
	*v = out
}

// Floats is a number or a list of numbers (remove_small's thr is one
// threshold for every class or one per class).
type Floats struct {
	Values []float64
	// Scalar records that the file gave one number, so that it is written
	// back the same way.
	Scalar bool
}

func (f *Floats) decodeTree(d *decoder, n *node, path string) {
	if n.kind == kindNumber {
		x, ok := floatOf(n)
		if !ok {
			d.typeErr(n, path, "a number or a list of numbers")
			return
		}
		*f = Floats{Values: []float64{x}, Scalar: true}
		return
	}
	if n.kind != kindArray {
		d.typeErr(n, path, "a number or a list of numbers")
		return
	}
	var l []float64
	d.decode(n, reflect.ValueOf(&l).Elem(), path, nil)
	*f = Floats{Values: l}
}

// MarshalJSON writes a number or a list as it was read.
func (f Floats) MarshalJSON() ([]byte, error) {
	if f.Scalar && len(f.Values) == 1 {
		return json.Marshal(f.Values[0])
	}
	if f.Values == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(f.Values)
}

// For returns the value for class i: the single value, or the i-th.
func (f Floats) For(i int) float64 {
	if len(f.Values) == 0 {
		return 0
	}
	if f.Scalar || i >= len(f.Values) {
		return f.Values[0]
	}
	return f.Values[i]
}

// Range is an interval that may be written as one number d, meaning
// [-d, d] (RandomAffine's degrees), or as [min, max].
type Range struct {
	Min, Max float64
	Scalar   bool
}

func (r *Range) decodeTree(d *decoder, n *node, path string) {
	if n.kind == kindNumber {
		x, ok := floatOf(n)
		if !ok {
			d.typeErr(n, path, "a number or a [min, max] list")
			return
		}
		if x < 0 {
			x = -x
		}
		*r = Range{Min: -x, Max: x, Scalar: true}
		return
	}
	if n.kind != kindArray || len(n.arr) != 2 {
		d.typeErr(n, path, "a number or a [min, max] list")
		return
	}
	lo, ok1 := floatOf(n.arr[0])
	hi, ok2 := floatOf(n.arr[1])
	if !ok1 || !ok2 {
		d.typeErr(n, path, "a number or a [min, max] list")
		return
	}
	if lo > hi {
		d.errorf(n, path, "min %v is greater than max %v", lo, hi)
		return
	}
	*r = Range{Min: lo, Max: hi}
}

// MarshalJSON writes d or [min, max] as read.
func (r Range) MarshalJSON() ([]byte, error) {
	if r.Scalar {
		return json.Marshal(r.Max)
	}
	return json.Marshal([2]float64{r.Min, r.Max})
}

// TargetSuffix lists the label suffixes, one per class. A class written
// as a list of suffixes has several raters (one drawn per iteration).
type TargetSuffix struct {
	Classes [][]string
	// Nested records that the file used the list-of-lists form.
	Nested bool
}

func (t *TargetSuffix) decodeTree(d *decoder, n *node, path string) {
	if n.kind != kindArray {
		d.typeErr(n, path, "a list of suffixes (strings or lists of strings)")
		return
	}
	out := TargetSuffix{Classes: make([][]string, 0, len(n.arr))}
	for i, e := range n.arr {
		p := path + "[" + strconv.Itoa(i) + "]"
		switch e.kind {
		case kindString:
			out.Classes = append(out.Classes, []string{e.str})
		case kindArray:
			var raters []string
			d.decode(e, reflect.ValueOf(&raters).Elem(), p, nil)
			if len(raters) == 0 {
				d.errorf(e, p, "a class needs at least one rater suffix")
			}
			out.Classes = append(out.Classes, raters)
			out.Nested = true
		default:
			d.typeErr(e, p, "a suffix string or a list of rater suffixes")
		}
	}
	*t = out
}

// MarshalJSON writes the flat or nested form as read.
func (t TargetSuffix) MarshalJSON() ([]byte, error) {
	if t.Nested && t.Classes != nil {
		return json.Marshal(t.Classes)
	}
	flat := make([]string, 0, len(t.Classes))
	for _, c := range t.Classes {
		flat = append(flat, c...)
	}
	return json.Marshal(flat) // [] rather than null when empty
}

// MarshalJSON writes a list, [] when empty.
func (v Values) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(v))
}

// All returns every suffix of every class and rater.
func (t TargetSuffix) All() []string {
	var all []string
	for _, c := range t.Classes {
		all = append(all, c...)
	}
	return all
}

// MultiRater reports whether any class has more than one rater.
func (t TargetSuffix) MultiRater() bool { return t.Nested }
