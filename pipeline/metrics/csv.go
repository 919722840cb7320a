package metrics

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ivadogo/ivadogo/internal/atomicfile"
)

// isCount reports whether a column holds object counts, which pandas
// keeps as integers when every row has them.
func isCount(name string) bool {
	return strings.HasPrefix(name, "n_")
}

// WriteCSV writes rows as pandas writes ivadomed's evaluation DataFrame:
// index column image_id first, then the union of the rows' columns in
// order of first appearance; NaN and missing values are empty cells;
// floats as Python prints them; count columns as integers when no row
// lacks them.
func WriteCSV(w io.Writer, rows []Row) error {
	var cols []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, n := range r.Names {
			if !seen[n] {
				seen[n] = true
				cols = append(cols, n)
			}
		}
	}
	intCol := make([]bool, len(cols))
	for j, c := range cols {
		intCol[j] = isCount(c)
		for _, r := range rows {
			if v, ok := r.Get(c); !ok || math.IsNaN(v) || v != math.Trunc(v) {
				intCol[j] = false
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"image_id"}, cols...)); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.ID}
		for j, c := range cols {
			v, ok := r.Get(c)
			switch {
			case !ok || math.IsNaN(v):
				rec = append(rec, "")
			case intCol[j]:
				rec = append(rec, strconv.FormatInt(int64(v), 10))
			default:
				rec = append(rec, pyFloat(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSVFile writes results_eval/evaluation_3Dmetrics.csv under dir
// (the output folder), creating results_eval. The file is written to a
// temporary name first and renamed, so a failed run leaves an earlier file
// intact.
func WriteCSVFile(dir string, rows []Row) (string, error) {
	resDir := filepath.Join(dir, "results_eval")
	if err := os.MkdirAll(resDir, 0o755); err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	path := filepath.Join(resDir, "evaluation_3Dmetrics.csv")
	if err := atomicfile.Write(path, func(w io.Writer) error { return WriteCSV(w, rows) }); err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	return path, nil
}
