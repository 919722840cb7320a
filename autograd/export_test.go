package autograd

// SetEarlyRelease turns the release of forward data during Backward on or
// off for a test and returns the previous setting.
func SetEarlyRelease(on bool) (old bool) {
	old, earlyRelease = earlyRelease, on
	return old
}
