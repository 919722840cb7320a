package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ReadModelConfig reads the config of a packaged model folder, as
// ivadomed's segment_volume does: <dir>/<name>.json where name is the
// folder's own name (train writes <path_output>/<model_name>/<model_name>.json),
// or else the folder's only JSON file. It returns the config and the path
// it was read from; the config is not validated, since a model's config
// names the data it was trained on, which segment does not need.
func ReadModelConfig(dir string) (*Config, string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, "", fmt.Errorf("config: model folder: %w", err)
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("config: model folder %s is a file; -m takes the folder holding the weights and the config JSON", dir)
	}
	name := filepath.Base(filepath.Clean(dir))
	path := filepath.Join(dir, name+".json")
	if _, err := os.Stat(path); err != nil {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(matches)
		switch len(matches) {
		case 0:
			return nil, "", fmt.Errorf("config: model folder %s has no config JSON (expected %s.json)", dir, name)
		case 1:
			path = matches[0]
		default:
			bases := make([]string, len(matches))
			for i, m := range matches {
				bases[i] = filepath.Base(m)
			}
			return nil, "", fmt.Errorf("config: model folder %s has no %s.json and several JSON files (%s): which is the model's config is ambiguous", dir, name, strings.Join(bases, ", "))
		}
	}
	c, err := ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	return c, path, nil
}
