// Package jsonorder reads a JSON object with its keys in file order,
// which encoding/json's maps lose: ivadomed's configs list transforms
// and post-processing steps as object keys whose order is the order they
// run in.
package jsonorder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Object splits a JSON object into its keys and raw values, in file
// order. Nothing (only white space) or null is an object without keys, as
// for a config section left out or set to null; anything else but an
// object is an error.
func Object(raw []byte) ([]string, []json.RawMessage, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		return nil, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("want a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("%v: %w", tok, err)
		}
		keys = append(keys, tok.(string))
		vals = append(vals, v)
	}
	// More is false at the end of the input too: a truncated object must
	// still end with its brace, and nothing may follow it.
	if tok, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("object not closed: %w", err)
	} else if d, ok := tok.(json.Delim); !ok || d != '}' {
		return nil, nil, fmt.Errorf("object not closed: %v", tok)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("data after the object")
	}
	return keys, vals, nil
}
