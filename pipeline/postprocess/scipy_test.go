package postprocess

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestScipyFixtures compares with scipy.ndimage (testdata/make_fixtures.py).
func TestScipyFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Shape   [3]int    `json:"shape"`
		In      []float32 `json:"in"`
		Label18 []int32   `json:"label18"`
		N18     int       `json:"n18"`
		Label6  []int32   `json:"label6"`
		N6      int       `json:"n6"`
		Fill    []float32 `json:"fill"`
		Largest []float32 `json:"largest"`
		Small3  []float32 `json:"small3"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		l, n := Label(Nonzero(c.In), c.Shape, Edge)
		if n != c.N18 || !slices.Equal(l, c.Label18) {
			t.Errorf("case %d %v: 18-connected labels differ from scipy (%d vs %d objects)", i, c.Shape, n, c.N18)
		}
		l, n = Label(Nonzero(c.In), c.Shape, Face)
		if n != c.N6 || !slices.Equal(l, c.Label6) {
			t.Errorf("case %d %v: default labels differ from scipy (%d vs %d objects)", i, c.Shape, n, c.N6)
		}
		if got := FillHoles(c.In, c.Shape); !slices.Equal(got, c.Fill) {
			t.Errorf("case %d %v: fill_holes differs from scipy", i, c.Shape)
		}
		if got := KeepLargest(c.In, c.Shape); !slices.Equal(got, c.Largest) {
			t.Errorf("case %d %v: keep_largest differs from scipy", i, c.Shape)
		}
		if got := RemoveSmall(c.In, c.Shape, 3); !slices.Equal(got, c.Small3) {
			t.Errorf("case %d %v: remove_small differs from scipy", i, c.Shape)
		}
	}
}
