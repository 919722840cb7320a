package jsonorder

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestObject(t *testing.T) {
	tests := []struct {
		in      string
		keys    []string
		vals    []string
		wantErr string // "" for success
	}{
		{in: `{}`},
		{in: ` {"b": 1, "a": {"x": [1, 2]}, "c": null} `, keys: []string{"b", "a", "c"}, vals: []string{`1`, `{"x": [1, 2]}`, `null`}},
		{in: `{"z": "s", "z": 2}`, keys: []string{"z", "z"}, vals: []string{`"s"`, `2`}},
		{in: `[1, 2]`, wantErr: "want a JSON object"},
		{in: `"x"`, wantErr: "want a JSON object"},
		{in: ``},
		{in: " null\n"},
		{in: `nul`, wantErr: "unexpected EOF"},
		{in: `{"a": }`, wantErr: "a: "},
		{in: `{"a" 1}`, wantErr: "a: expected colon"},
		{in: `{`, wantErr: "object not closed"},
		{in: `{"a": 1`, wantErr: "object not closed"},
		{in: `{"a": 1} {}`, wantErr: "data after the object"},
		{in: `{"a": 1} x`, wantErr: "data after the object"},
	}
	for _, tt := range tests {
		keys, vals, err := Object([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Object(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Object(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, v := range vals {
			got = append(got, string(v))
		}
		if !slices.Equal(keys, tt.keys) || !slices.Equal(got, tt.vals) {
			t.Errorf("Object(%q) = %q, %q, want %q, %q", tt.in, keys, got, tt.keys, tt.vals)
		}
	}
}

// FuzzObject checks Object never panics and that what it accepts is
// valid JSON (or nothing), each value valid JSON too.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1, "b": [true]}`, `[1]`, `{"a":`, `{"a": 1} trailing`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, vals, err := Object(data)
		if err != nil {
			return
		}
		if len(bytes.TrimSpace(data)) > 0 && !json.Valid(data) {
			t.Errorf("accepted invalid JSON %q", data)
		}
		if len(keys) != len(vals) {
			t.Fatalf("%d keys, %d values", len(keys), len(vals))
		}
		for i, v := range vals {
			if !json.Valid(v) {
				t.Errorf("value of %q is not valid JSON: %q", keys[i], v)
			}
		}
	})
}
