package tensor

import (
	"fmt"
	"sync"
)

// Device is where a tensor's storage lives and its maths runs. The CPU
// device is built in; a GPU backend (package cuda, build tag cuda)
// registers itself with Register. Tensors today always live on the CPU:
// Device is the seam the GPU work will widen, kept small on purpose.
type Device interface {
	// Name identifies the device, e.g. "cpu" or "cuda:0".
	Name() string
}

type cpu struct{}

func (cpu) Name() string { return "cpu" }

// CPU is the host device.
var CPU Device = cpu{}

var (
	devMu   sync.RWMutex
	devices = map[string]Device{"cpu": CPU}
)

// Register makes a device available under its Name. It panics if the name
// is already taken, as a second registration is a programming error.
func Register(d Device) {
	devMu.Lock()
	defer devMu.Unlock()
	if _, ok := devices[d.Name()]; ok {
		panic(fmt.Sprintf("tensor: device %q registered twice", d.Name()))
	}
	devices[d.Name()] = d
}

// Lookup returns the device registered under name.
func Lookup(name string) (Device, bool) {
	devMu.RLock()
	defer devMu.RUnlock()
	d, ok := devices[name]
	return d, ok
}
