package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// kind is the JSON type of a node.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "list", "object"}[k]
}

// node is one JSON value with the position it was read from. Objects keep
// their key order because ivadomed applies transformation and
// postprocessing steps in the order the file lists them.
type node struct {
	kind kind
	b    bool
	num  json.Number
	str  string
	arr  []*node
	keys []string // object keys in file order
	vals []*node  // vals[i] belongs to keys[i]
	line int      // 1-based line of the value's first byte; 0 when made in code
	col  int
	// kline, kcol locate the key of an object member, for errors about
	// the key itself (unknown, duplicate).
	kline, kcol int
}

// get returns the member named key of an object node, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// set replaces or appends the member key.
func (n *node) set(key string, v *node) {
	for i, k := range n.keys {
		if k == key {
			n.vals[i] = v
			return
		}
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
}

// del removes the member key, keeping the order of the others.
func (n *node) del(key string) {
	for i, k := range n.keys {
		if k == key {
			n.keys = append(n.keys[:i:i], n.keys[i+1:]...)
			n.vals = append(n.vals[:i:i], n.vals[i+1:]...)
			return
		}
	}
}

// rename changes the name of member from to to in place (same position).
// If to already exists the renamed member replaces it, as a later key
// would in Python's json module.
func (n *node) rename(from, to string) {
	i := -1
	for j, k := range n.keys {
		if k == from {
			i = j
		}
	}
	if i < 0 {
		return
	}
	v := n.vals[i]
	n.del(to)
	for j, k := range n.keys {
		if k == from {
			n.keys[j] = to
			n.vals[j] = v
		}
	}
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 64

// parseTree reads one JSON value from data. Duplicate keys in an object are
// an error: Python's json keeps the last one in silence, which hides
// copy-paste mistakes in long configs.
func parseTree(data []byte) (*node, error) {
	p := &treeParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		line, col := p.pos(p.dec.InputOffset())
		return nil, &Error{Line: line, Col: col, Msg: "extra data after the top-level JSON value"}
	}
	return n, nil
}

type treeParser struct {
	data []byte
	dec  *json.Decoder
	// The line of lastOff, so that pos scans each byte once for a file
	// read front to back.
	lastOff  int64
	lastLine int
}

// pos converts a byte offset to a 1-based line and column.
func (p *treeParser) pos(off int64) (int, int) {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	if p.lastLine == 0 || off < p.lastOff {
		p.lastOff, p.lastLine = 0, 1
	}
	p.lastLine += bytes.Count(p.data[p.lastOff:off], []byte{'\n'})
	p.lastOff = off
	col := int(off) - bytes.LastIndexByte(p.data[:off], '\n')
	return p.lastLine, col
}

// valueStart returns the offset of the first byte of the next value,
// skipping the whitespace, commas and colons the decoder has not consumed.
func (p *treeParser) valueStart() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *treeParser) syntaxErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := p.pos(se.Offset)
		return &Error{Line: line, Col: col, Msg: "invalid JSON: " + strings.TrimPrefix(se.Error(), "invalid character ")}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := p.pos(int64(len(p.data)))
		return &Error{Line: line, Col: col, Msg: "invalid JSON: unexpected end of file"}
	}
	line, col := p.pos(p.dec.InputOffset())
	return &Error{Line: line, Col: col, Msg: "invalid JSON: " + err.Error()}
}

func (p *treeParser) value(depth int, path string) (*node, error) {
	if depth > maxDepth {
		line, col := p.pos(p.dec.InputOffset())
		return nil, &Error{Path: path, Line: line, Col: col, Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	line, col := p.pos(p.valueStart())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxErr(err)
	}
	n := &node{line: line, col: col}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.b = kindBool, t
	case json.Number:
		n.kind, n.num = kindNumber, t
	case string:
		n.kind, n.str = kindString, t
	case json.Delim:
		switch t {
		case '[':
			n.kind = kindArray
			for i := 0; p.dec.More(); i++ {
				v, err := p.value(depth+1, path+"["+strconv.Itoa(i)+"]")
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
		case '{':
			n.kind = kindObject
			for p.dec.More() {
				kl, kc := p.pos(p.valueStart())
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxErr(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, &Error{Path: path, Line: kl, Col: kc, Msg: "invalid JSON: object key is not a string"}
				}
				if n.get(key) != nil {
					return nil, &Error{Path: join(path, key), Line: kl, Col: kc, Msg: "duplicate key"}
				}
				v, err := p.value(depth+1, join(path, key))
				if err != nil {
					return nil, err
				}
				v.kline, v.kcol = kl, kc
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, v)
			}
		default:
			return nil, &Error{Path: path, Line: line, Col: col, Msg: fmt.Sprintf("invalid JSON: unexpected %q", t)}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxErr(err)
		}
	}
	return n, nil
}

// join appends a key to a dotted key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
