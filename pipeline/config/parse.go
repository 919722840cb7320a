package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// Parse reads an ivadomed config from JSON, upgrades its legacy keys and
// merges it over ivadomed's defaults. Unknown keys, misspelt names and
// values of the wrong type are errors (an ErrorList) naming the key path
// and, for a typo, the nearest valid key. Parse does not check that the
// config is complete; Validate does.
func Parse(data []byte) (*Config, error) {
	tree, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if err := looksLikeConfig(tree); err != nil {
		return nil, err
	}
	notes := upgrade(tree)
	c, err := decodeTree(tree, Default())
	if err != nil {
		return nil, hintHyper(err)
	}
	c.Notices = notes
	return c, nil
}

// decodeTree decodes tree over base (the defaults) and returns base.
func decodeTree(tree *node, base *Config) (*Config, error) {
	if base == nil {
		base = &Config{}
	}
	d := &decoder{schemaHints: true}
	d.decode(tree, reflectValue(base), "", nil)
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	return base, nil
}

// Overrides are the command-line values that win over the file, as
// ivadomed's --train/--test/--segment, -pd/--path-data and
// -po/--path-output do.
type Overrides struct {
	Command    string
	PathData   []string
	PathOutput string
}

// Load reads the config file at path, applies the command-line overrides
// and validates the result.
func Load(path string, o Overrides) (*Config, error) {
	c, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	c.Apply(o)
	if err := c.Validate(); err != nil {
		return nil, withFile(err, path)
	}
	return c, nil
}

// ReadFile reads and parses the config file at path, without validating
// it. ivadomed refuses YAML configs and so does ReadFile: the file must be
// JSON.
func ReadFile(path string) (*Config, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return nil, fmt.Errorf("config: %s: YAML configs are not supported (ivadomed reads JSON only)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, withFile(err, path)
	}
	return c, nil
}

// Apply sets the values given on the command line.
func (c *Config) Apply(o Overrides) {
	if o.Command != "" {
		c.Command = o.Command
	}
	if len(o.PathData) > 0 {
		c.Loader.PathData = append(Strings(nil), o.PathData...)
	}
	if o.PathOutput != "" {
		c.PathOutput = o.PathOutput
	}
}

// FileExtensions returns the image extensions to index: the configured
// ones, or ".nii" and ".nii.gz".
func (c *Config) FileExtensions() []string {
	if len(c.Loader.Extensions) == 0 {
		return []string{".nii", ".nii.gz"}
	}
	return c.Loader.Extensions
}

// Contrasts returns the contrasts a command reads: training_validation
// for train, testing for test and segment (ivadomed's contrast_lst).
func (c *Config) Contrasts(command string) []string {
	if command == "train" {
		return c.Loader.ContrastParams.TrainingValidation
	}
	return c.Loader.ContrastParams.Testing
}

// Is2D reports whether the model works on 2D slices.
func (c *Config) Is2D() bool {
	m, _, err := c.ModelParams()
	if err != nil {
		return c.DefaultModel.Is2D
	}
	return m.Is2D
}

// ErrJoblib is wrapped by the error for a .joblib split file.
var ErrJoblib = errors.New("joblib split files cannot be read without Python")

// looksLikeConfig rejects, with one message instead of one per key, a
// JSON file that is not a config at all (a sidecar, a dataset
// description, a BIDS entity config).
func looksLikeConfig(tree *node) error {
	if tree.kind != kindObject || len(tree.keys) == 0 {
		return nil
	}
	var names []string
	for _, f := range fieldsOf(reflect.TypeFor[Config]()) {
		names = append(names, f.name)
	}
	// A config with typos still has mostly keys that are config keys,
	// near misses of them, or keys that belong elsewhere in the schema.
	like := 0
	for _, k := range tree.keys {
		_, old := renames[k]
		if old || legacyTopLevel[k] || slices.Contains(names, k) || nearest(k, names) != "" || len(elsewhere(k)) > 0 {
			like++
		}
	}
	if 2*like >= len(tree.keys) {
		return nil
	}
	keys := tree.keys
	if len(keys) > 5 {
		keys = append(keys[:5:5], "...")
	}
	return &Error{Line: tree.line, Col: tree.col, Msg: fmt.Sprintf("not an ivadomed config: none of its top-level keys (%s) is a config key such as \"loader_parameters\" or \"training_parameters\"", strings.Join(keys, ", "))}
}

// hintHyper adds a hint when every error is a list where a single value
// belongs: the file is then most likely a hyper-parameter grid for
// ivadomed_automate_training (--config-hyper), not a config.
func hintHyper(err error) error {
	l, ok := err.(ErrorList)
	if !ok {
		return err
	}
	for _, e := range l {
		if !strings.HasPrefix(e.Msg, "expected ") || !strings.Contains(e.Msg, ", got a list of ") {
			return err
		}
	}
	return append(l, &Error{Msg: "every value above is a list where a config has one value: this looks like a hyper-parameter grid for ivadomed_automate_training (--config-hyper), which is not a config"})
}
