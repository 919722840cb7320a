package config

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Schema returns a JSON Schema (draft-07) of ivadomed configs as this
// package reads them: every section and key with its type, the allowed
// names of losses, transforms and post-processing steps with their
// parameters, enumerations, and ivadomed's defaults. Editors that read
// JSON Schema (VS Code's "json.schemas" setting, for one) then flag typos
// and complete keys while the config is written. Legacy keys, which Parse
// upgrades, are not in it.
func Schema() ([]byte, error) {
	def, err := json.Marshal(Default())
	if err != nil {
		return nil, err
	}
	var defaults any
	if err := json.Unmarshal(def, &defaults); err != nil {
		return nil, err
	}
	s := schemaOf(reflect.TypeFor[Config](), defaults)
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "ivadomed configuration (as read by ivadogo)"
	return json.MarshalIndent(s, "", "  ")
}

type obj = map[string]any

var (
	stringsSchema = obj{"anyOf": []any{obj{"type": "string"}, obj{"type": []string{"array", "null"}, "items": obj{"type": "string"}}}}
	floatsSchema  = obj{"anyOf": []any{obj{"type": "number"}, obj{"type": "array", "items": obj{"type": "number"}}}}
	rangeSchema   = obj{"anyOf": []any{obj{"type": "number"}, obj{"type": "array", "items": obj{"type": "number"}, "minItems": 2, "maxItems": 2}}}
)

// schemaOf describes type t; def is the default value at this place (from
// Default, as decoded by encoding/json), added as "default" to leaves.
func schemaOf(t reflect.Type, def any) obj {
	s := schemaOfType(t, def)
	if def != nil {
		switch def.(type) {
		case map[string]any:
		default:
			s["default"] = def
		}
	}
	return s
}

func schemaOfType(t reflect.Type, def any) obj {
	switch t {
	case reflect.TypeFor[Strings]():
		return clone(stringsSchema)
	case reflect.TypeFor[Values]():
		return obj{"type": []string{"array", "null"}, "items": obj{"type": []string{"string", "number"}}}
	case reflect.TypeFor[Floats]():
		return clone(floatsSchema)
	case reflect.TypeFor[Range]():
		return clone(rangeSchema)
	case reflect.TypeFor[TargetSuffix]():
		return obj{"type": "array", "items": obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}, "minItems": 1}}}}
	case reflect.TypeFor[BalanceSamples]():
		return obj{"anyOf": []any{structSchema(t, def), obj{"type": "boolean"}}}
	case reflect.TypeFor[Loss]():
		return lossSchema()
	case reflect.TypeFor[Transformation]():
		return namedSchema(transforms.names(), func(n string) any { return transforms.lookup(n)() }, true)
	case reflect.TypeFor[Postprocessing]():
		return namedSchema(PostprocessingNames(), func(n string) any { return postSteps[n]() }, false)
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOfType(t.Elem(), def)
		if typ, ok := s["type"].(string); ok {
			s["type"] = []string{typ, "null"}
			if e, ok := s["enum"].([]string); ok {
				s["enum"] = append(append([]any{}, toAny(e)...), nil)
			}
			return s
		}
		return obj{"anyOf": []any{s, obj{"type": "null"}}}
	case reflect.Struct:
		return structSchema(t, def)
	case reflect.Slice:
		return obj{"type": []string{"array", "null"}, "items": schemaOfType(t.Elem(), nil)}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": schemaOfType(t.Elem(), nil)}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return obj{"type": "integer"}
	case reflect.Float64:
		return obj{"type": "number"}
	}
	return obj{}
}

func structSchema(t reflect.Type, def any) obj {
	defs, _ := def.(map[string]any)
	props := obj{}
	for _, f := range fieldsOf(t) {
		p := schemaOf(t.FieldByIndex(f.index).Type, defs[f.name])
		if f.enum != nil {
			if items, ok := p["items"].(obj); ok {
				items["enum"] = f.enum
			} else {
				p["enum"] = f.enum
			}
		}
		props[f.name] = p
	}
	return obj{"type": "object", "properties": props, "additionalProperties": false}
}

// paramsSchema describes a parameter struct, with its defaults and its
// required keys.
func paramsSchema(p any) obj {
	v := reflect.ValueOf(p).Elem()
	props := obj{}
	var required []string
	for _, f := range fieldsOf(v.Type()) {
		sf := v.Type().FieldByIndex(f.index)
		var def any
		if b, err := json.Marshal(v.FieldByIndex(f.index).Interface()); err == nil {
			json.Unmarshal(b, &def)
		}
		if strings.Contains(sf.Tag.Get("json"), ",omitempty") && v.FieldByIndex(f.index).IsZero() {
			def = nil
		}
		s := schemaOf(sf.Type, def)
		if f.enum != nil {
			s["enum"] = f.enum
		}
		props[f.name] = s
		if sf.Tag.Get("required") == "true" {
			required = append(required, f.name)
			delete(s, "default")
		}
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		s["required"] = required
	}
	return s
}

// namedSchema describes an object of named steps, each with its
// parameters (and applied_to/dataset_type for transforms).
func namedSchema(names []string, params func(string) any, transform bool) obj {
	props := obj{}
	for _, n := range names {
		s := paramsSchema(params(n))
		if transform {
			p := s["properties"].(obj)
			p["applied_to"] = obj{"type": "array", "items": obj{"enum": appliedToValues}}
			p["dataset_type"] = obj{"type": "array", "items": obj{"enum": datasetTypeValues}}
		}
		props[n] = s
	}
	return obj{"type": "object", "properties": props, "additionalProperties": false}
}

func lossSchema() obj {
	var variants []any
	for _, n := range losses.names() {
		var s obj
		if n == "LossCombination" {
			s = obj{"type": "object", "properties": obj{
				"losses_list": obj{"type": "array", "items": obj{"enum": losses.names()}},
				"params_list": obj{"type": "array", "items": obj{"type": []string{"object", "null"}}},
			}, "required": []string{"losses_list"}, "additionalProperties": false}
		} else {
			s = paramsSchema(losses.lookup(n)())
		}
		s["properties"].(obj)["name"] = obj{"const": n}
		s["required"] = append(toStrings(s["required"]), "name")
		variants = append(variants, s)
	}
	return obj{"oneOf": variants, "default": obj{"name": "DiceLoss"}}
}

func toStrings(v any) []string {
	s, _ := v.([]string)
	return s
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func clone(o obj) obj {
	c := make(obj, len(o))
	for k, v := range o {
		c[k] = v
	}
	return c
}
