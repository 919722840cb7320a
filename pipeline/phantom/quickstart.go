package phantom

import (
	_ "embed"
	"fmt"

	"github.com/ivadogo/ivadogo/pipeline/config"
)

// quickstartJSON is the config of the quickstart: a small 2D U-Net on the
// default phantom, keys spelled as ivadomed spells them. The repository
// ships the same file as testdata/quickstart.json.
//
//go:embed quickstart.json
var quickstartJSON []byte

// QuickstartJSON returns the quickstart config file as shipped.
func QuickstartJSON() []byte { return append([]byte(nil), quickstartJSON...) }

// Quickstart writes the default phantom to dataDir (see Write) and
// returns the quickstart config set to read it and to write its outputs
// to outDir, validated. Empty dataDir and outDir mean the config's own
// ivadogo_quickstart/phantom and ivadogo_quickstart/output (relative to
// the working directory).
func Quickstart(dataDir, outDir string) (*config.Config, error) {
	c, err := config.Parse(quickstartJSON)
	if err != nil {
		return nil, fmt.Errorf("phantom: the built-in quickstart config: %w", err)
	}
	if dataDir == "" {
		dataDir = c.Loader.PathData[0]
	}
	if outDir == "" {
		outDir = c.PathOutput
	}
	if _, err := Write(dataDir, Options{}); err != nil {
		return nil, err
	}
	c.Apply(config.Overrides{Command: "train", PathData: []string{dataDir}, PathOutput: outDir})
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("phantom: the built-in quickstart config: %w", err)
	}
	return c, nil
}
