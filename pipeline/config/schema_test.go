package config

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// validate checks v against the subset of JSON Schema that Schema emits
// (type, properties, additionalProperties, required, items, enum, const,
// anyOf, oneOf, minItems, maxItems) and returns the first violation.
func validate(s map[string]any, v any, path string) error {
	if t, ok := s["type"]; ok && !typeOK(t, v) {
		return fmt.Errorf("%s: %v is not of type %v", path, v, t)
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return reflect.DeepEqual(x, v) }) {
		return fmt.Errorf("%s: %v not in enum %v", path, v, e)
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, v) {
		return fmt.Errorf("%s: %v is not %v", path, v, c)
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var errs []string
		for _, sub := range alts {
			err := validate(sub.(map[string]any), v, path)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err.Error())
		}
		if errs != nil {
			return fmt.Errorf("%s: no anyOf branch matches: %s", path, strings.Join(errs, "; "))
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		var errs []string
		for _, sub := range one {
			if err := validate(sub.(map[string]any), v, path); err == nil {
				n++
			} else {
				errs = append(errs, err.Error())
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: %d oneOf branches match (%s)", path, n, strings.Join(errs, "; "))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range toAnyList(s["required"]) {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: missing %s", path, r)
			}
		}
		for k, val := range x {
			if p, ok := props[k]; ok {
				if err := validate(p.(map[string]any), val, join(path, k)); err != nil {
					return err
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					return fmt.Errorf("%s: additional property", join(path, k))
				}
			case map[string]any:
				if err := validate(ap, val, join(path, k)); err != nil {
					return err
				}
			}
		}
	case []any:
		if m, ok := s["minItems"].(float64); ok && float64(len(x)) < m {
			return fmt.Errorf("%s: fewer than %v items", path, m)
		}
		if m, ok := s["maxItems"].(float64); ok && float64(len(x)) > m {
			return fmt.Errorf("%s: more than %v items", path, m)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				if err := validate(items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func toAnyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func typeOK(t, v any) bool {
	switch tt := t.(type) {
	case string:
		switch tt {
		case "object":
			_, ok := v.(map[string]any)
			return ok
		case "array":
			_, ok := v.([]any)
			return ok
		case "string":
			_, ok := v.(string)
			return ok
		case "boolean":
			_, ok := v.(bool)
			return ok
		case "null":
			return v == nil
		case "number":
			_, ok := v.(float64)
			return ok
		case "integer":
			f, ok := v.(float64)
			return ok && f == math.Trunc(f)
		}
	case []any:
		for _, x := range tt {
			if typeOK(x, v) {
				return true
			}
		}
	}
	return false
}

func loadSchema(t *testing.T) map[string]any {
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return s
}

// TestSchemaAgreesWithParse: configs Parse accepts without legacy
// notices satisfy the schema, and what Parse rejects for a typo or a wrong
// type the schema rejects too.
func TestSchemaAgreesWithParse(t *testing.T) {
	s := loadSchema(t)
	ref := reference(t)
	checked := 0
	for _, rel := range referenceJSON(t) {
		if _, ok := notConfig[rel]; ok {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(ref, rel))
		c, err := Parse(data)
		if err != nil || len(c.Notices) > 0 {
			continue // legacy keys are upgraded by Parse, not in the schema
		}
		var v any
		json.Unmarshal(data, &v)
		if err := validate(s, v, ""); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
		// The merged config that show prints satisfies it too.
		out, _ := c.MarshalIndent()
		json.Unmarshal(out, &v)
		if err := validate(s, v, ""); err != nil {
			t.Errorf("%s marshalled: %v", rel, err)
		}
		checked++
	}
	if checked < 8 {
		t.Errorf("only %d reference configs checked", checked)
	}
	for _, bad := range []string{
		`{"training_parameters": {"batch_sise": 4}}`,
		`{"training_parameters": {"loss": {"name": "FocalLoss", "gama": 2}}}`,
		`{"transformation": {"CenterCorp": {"size": [8, 8]}}}`,
		`{"transformation": {"CenterCrop": {}}}`,
		`{"loader_parameters": {"slice_axis": "axail"}}`,
		`{"training_parameters": {"batch_size": "8"}}`,
		`{"postprocessing": {"fill_hole": {}}}`,
		`{"transformation": {"NormalizeInstance": {"applied_to": ["img"]}}}`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Fatalf("Parse accepts %s", bad)
		}
		var v any
		json.Unmarshal([]byte(bad), &v)
		if err := validate(s, v, ""); err == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}

func TestSchemaDefaults(t *testing.T) {
	s := loadSchema(t)
	get := func(path ...string) map[string]any {
		cur := s
		for _, p := range path {
			cur = cur["properties"].(map[string]any)[p].(map[string]any)
		}
		return cur
	}
	if d := get("training_parameters", "batch_size")["default"]; d != 18.0 {
		t.Errorf("batch_size default %v", d)
	}
	if d := get("loader_parameters", "slice_axis"); d["default"] != "axial" || len(d["enum"].([]any)) != 3 {
		t.Errorf("slice_axis %v", d)
	}
	if d := get("transformation", "RandomShiftIntensity"); !slices.Equal(toAnyList(d["required"]), []any{"shift_range"}) {
		t.Errorf("RandomShiftIntensity %v", d)
	}
}
