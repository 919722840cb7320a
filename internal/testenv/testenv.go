// Package testenv finds the data that tests share with the rest of the
// project: the real NIfTI and BIDS files and the benchmark cases kept in
// the shared folder beside the checkout.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Shared returns the path of the shared folder (../shared next to the
// repository root, or $IVADOGO_SHARED). When it is missing the test is
// skipped, except under CI (CI=true), where a missing folder is a failure:
// CI always has it, so a skip there would hide a broken test.
func Shared(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("IVADOGO_SHARED")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			tb.Fatalf("testenv: %v", err)
		}
		dir = filepath.Join(root, "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("testenv: shared folder %s is missing under CI: %v", dir, err)
		}
		tb.Skipf("testenv: shared folder %s not found (set IVADOGO_SHARED); skipping", dir)
	}
	return dir
}

// SharedData returns Shared(tb)/data.
func SharedData(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(Shared(tb), "data")
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
