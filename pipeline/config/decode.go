package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// decoder fills Go values from a node tree, collecting every error with
// its key path instead of stopping at the first.
type decoder struct {
	errs ErrorList
	// schemaHints enables "it belongs under ..." hints, which name paths
	// of the Config schema and so are only meaningful when decoding one.
	schemaHints bool
}

// treeDecoder is implemented by types whose JSON form is not a plain
// object, list or scalar (a string-or-list, a named loss with its
// keyword arguments, an ordered list of transforms, ...).
type treeDecoder interface {
	decodeTree(d *decoder, n *node, path string)
}

// keyRecorder is implemented by structs that remember which keys a file
// set, where "absent" differs from "zero" (model sections are merged over
// default_model key by key, as ivadomed does).
type keyRecorder interface {
	recordKey(key string)
}

var treeDecoderType = reflect.TypeFor[treeDecoder]()

func (d *decoder) errorf(n *node, path, format string, args ...any) {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.line, n.col
	}
	d.errs = append(d.errs, e)
}

// typeErr reports a value of the wrong JSON type.
func (d *decoder) typeErr(n *node, path, want string) {
	d.errorf(n, path, "expected %s, got %s", want, describe(n))
}

// describe names a node's type and, for scalars, its value.
func describe(n *node) string {
	switch n.kind {
	case kindNull:
		return "null"
	case kindBool:
		return fmt.Sprintf("boolean %v", n.b)
	case kindNumber:
		return "number " + n.num.String()
	case kindString:
		s := n.str
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return fmt.Sprintf("string %q", s)
	case kindArray:
		return fmt.Sprintf("a list of %d items", len(n.arr))
	default:
		return "an object"
	}
}

// expected describes in words what a Go type accepts from JSON.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return expected(t.Elem()) + " or null"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(expected(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// decode stores n into v. enum, when not nil, lists the strings allowed
// for v (or for each string element when v is a list).
func (d *decoder) decode(n *node, v reflect.Value, path string, enum []string) {
	if v.CanAddr() && v.Addr().Type().Implements(treeDecoderType) {
		v.Addr().Interface().(treeDecoder).decodeTree(d, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.kind == kindNull {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		if wrongScalar(n, v.Type().Elem()) {
			d.typeErr(n, path, expected(v.Type()))
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path, enum)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.kind == kindNull {
			// Python configs use None for "no list" (HeMIS roi_lst).
			v.Set(reflect.Zero(v.Type()))
			return
		}
		if n.kind != kindArray {
			d.typeErr(n, path, expected(v.Type()))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.arr), len(n.arr))
		for i, e := range n.arr {
			d.decode(e, s.Index(i), path+"["+strconv.Itoa(i)+"]", enum)
		}
		v.Set(s)
	case reflect.Map:
		if n.kind != kindObject {
			d.typeErr(n, path, "an object")
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.keys))
		for i, k := range n.keys {
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decode(n.vals[i], ev, join(path, k), nil)
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.String:
		if n.kind != kindString {
			d.typeErr(n, path, "a string")
			return
		}
		if enum != nil && !slices.Contains(enum, n.str) {
			d.enumErr(n, path, n.str, enum)
			return
		}
		v.SetString(n.str)
	case reflect.Bool:
		if n.kind != kindBool {
			d.typeErr(n, path, "true or false")
			return
		}
		v.SetBool(n.b)
	case reflect.Int, reflect.Int64:
		i, ok := intOf(n)
		if !ok {
			d.typeErr(n, path, "an integer")
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, ok := floatOf(n)
		if !ok {
			d.typeErr(n, path, "a number")
			return
		}
		v.SetFloat(f)
	case reflect.Interface:
		v.Set(reflect.ValueOf(plain(n)))
	default:
		panic(fmt.Sprintf("config: cannot decode into %s at %s", v.Type(), path))
	}
}

// wrongScalar reports whether n cannot be a value of the scalar type t.
func wrongScalar(n *node, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return n.kind != kindString
	case reflect.Bool:
		return n.kind != kindBool
	case reflect.Float64:
		_, ok := floatOf(n)
		return !ok
	case reflect.Int, reflect.Int64:
		_, ok := intOf(n)
		return !ok
	}
	return false
}

func (d *decoder) enumErr(n *node, path, got string, enum []string) {
	msg := fmt.Sprintf("%q is not one of %s", got, quoteList(enum))
	if s := nearest(got, enum); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	d.errorf(n, path, "%s", msg)
}

// intOf reads an integer; 2.0 is accepted (Python writes floats for whole
// numbers in some tools) but 2.5 is not.
func intOf(n *node) (int64, bool) {
	if n.kind != kindNumber {
		return 0, false
	}
	if i, err := strconv.ParseInt(n.num.String(), 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(n.num.String(), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func floatOf(n *node) (float64, bool) {
	if n.kind != kindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.num.String(), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// plain converts a node to the values encoding/json would produce.
func plain(n *node) any {
	switch n.kind {
	case kindBool:
		return n.b
	case kindNumber:
		if i, err := strconv.ParseInt(n.num.String(), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(n.num.String(), 64)
		return f
	case kindString:
		return n.str
	case kindArray:
		s := make([]any, len(n.arr))
		for i, e := range n.arr {
			s[i] = plain(e)
		}
		return s
	case kindObject:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k] = plain(n.vals[i])
		}
		return m
	}
	return nil
}

// field is one JSON key of a struct.
type field struct {
	name  string
	index []int
	enum  []string
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the JSON keys of a struct type, flattening embedded
// structs the way encoding/json does.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var fs []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!sf.IsExported() && !sf.Anonymous) {
			continue
		}
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			for _, sub := range fieldsOf(sf.Type) {
				sub.index = append([]int{i}, sub.index...)
				fs = append(fs, sub)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f := field{name: name, index: []int{i}}
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, ",")
		}
		fs = append(fs, f)
	}
	fieldCache.Store(t, fs)
	return fs
}

func (d *decoder) decodeStruct(n *node, v reflect.Value, path string) {
	if n.kind != kindObject {
		d.typeErr(n, path, "an object")
		return
	}
	fs := fieldsOf(v.Type())
	var rec keyRecorder
	if v.CanAddr() {
		rec, _ = v.Addr().Interface().(keyRecorder)
	}
	for i, key := range n.keys {
		j := slices.IndexFunc(fs, func(f field) bool { return f.name == key })
		if j < 0 {
			d.unknownKey(n.vals[i], join(path, key), key, fs)
			continue
		}
		d.decode(n.vals[i], v.FieldByIndex(fs[j].index), join(path, key), fs[j].enum)
		if rec != nil {
			rec.recordKey(key)
		}
	}
}

// unknownKey reports a key that the schema does not have, with the
// sibling it most likely misspells or, failing that, the place where a key
// of that name does belong.
func (d *decoder) unknownKey(n *node, path, key string, fs []field) {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	d.unknownName(n, path, key, names)
}

// errorAtKey reports a problem with the key of member n.
func (d *decoder) errorAtKey(n *node, path, format string, args ...any) {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, args...), Line: n.line, Col: n.col}
	if n.kline > 0 {
		e.Line, e.Col = n.kline, n.kcol
	}
	d.errs = append(d.errs, e)
}

func (d *decoder) unknownName(n *node, path, key string, names []string) {
	msg := "unknown key"
	if s := nearest(key, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if where := elsewhere(key); d.schemaHints && len(where) > 0 {
		msg += "; it belongs under " + strings.Join(where, " or ")
	} else if len(names) > 0 && len(names) <= 12 {
		msg += "; valid keys here: " + quoteList(names)
	}
	d.errorAtKey(n, path, "%s", msg)
}

var (
	pathIndexOnce sync.Once
	pathIndex     map[string][]string // key name -> every dotted path where it is valid
)

// elsewhere returns the places in the schema where key is a valid key.
func elsewhere(key string) []string {
	pathIndexOnce.Do(func() {
		pathIndex = map[string][]string{}
		var walk func(t reflect.Type, prefix string, depth int)
		walk = func(t reflect.Type, prefix string, depth int) {
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
				if reflect.PointerTo(t).Implements(treeDecoderType) {
					return
				}
				t = t.Elem()
			}
			if t.Kind() != reflect.Struct || depth > 6 || reflect.PointerTo(t).Implements(treeDecoderType) {
				return
			}
			for _, f := range fieldsOf(t) {
				p := join(prefix, f.name)
				pathIndex[f.name] = append(pathIndex[f.name], p)
				walk(t.FieldByIndex(f.index).Type, p, depth+1)
			}
		}
		walk(reflect.TypeFor[Config](), "", 0)
	})
	w := pathIndex[key]
	if len(w) > 3 {
		w = w[:3]
	}
	return w
}
