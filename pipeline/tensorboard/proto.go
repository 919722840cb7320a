package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Protocol buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Field numbers of the Event, Summary and Summary.Value messages.
const (
	eventWallTime    = 1
	eventStep        = 2
	eventFileVersion = 3
	eventSummary     = 5

	summaryValue = 1

	valueTag         = 1
	valueSimpleValue = 2
)

// Event is one record of an event file.
type Event struct {
	WallTime    float64 // seconds since the Unix epoch
	Step        int64
	FileVersion string  // set in the first event of a file only
	Values      []Value // the scalar summaries; nil for the version event
}

// Value is one scalar of a summary. TensorBoard stores it as a float32.
type Value struct {
	Tag   string
	Value float64
}

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func appendString(b []byte, field int, s string) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// marshal encodes ev, leaving out fields at their proto3 defaults.
func (ev *Event) marshal() []byte {
	var b []byte
	if ev.WallTime != 0 {
		b = appendKey(b, eventWallTime, wireFixed64)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(ev.WallTime))
	}
	if ev.Step != 0 {
		b = appendKey(b, eventStep, wireVarint)
		b = binary.AppendUvarint(b, uint64(ev.Step)) // int64 is two's complement on the wire
	}
	if ev.FileVersion != "" {
		b = appendString(b, eventFileVersion, ev.FileVersion)
	}
	if ev.Values != nil {
		var sum []byte
		for _, v := range ev.Values {
			var vb []byte
			if v.Tag != "" {
				vb = appendString(vb, valueTag, v.Tag)
			}
			vb = appendKey(vb, valueSimpleValue, wireFixed32)
			vb = binary.LittleEndian.AppendUint32(vb, math.Float32bits(float32(v.Value)))
			sum = appendString(sum, summaryValue, string(vb))
		}
		b = appendString(b, eventSummary, string(sum))
	}
	return b
}

var errTruncated = errors.New("truncated protocol buffer")

// field is one decoded key/value pair of a protocol buffer message.
type field struct {
	num   int
	wire  int
	u     uint64 // varint, fixed64 and fixed32 values
	bytes []byte // length-delimited values
}

// fields calls fn for each field of the message in b, in order.
func fields(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errTruncated
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		if f.num == 0 || key>>3 > math.MaxInt32 {
			return fmt.Errorf("invalid field number %d", key>>3)
		}
		switch f.wire {
		case wireVarint:
			f.u, n = binary.Uvarint(b)
			if n <= 0 {
				return errTruncated
			}
			b = b[n:]
		case wireFixed64:
			if len(b) < 8 {
				return errTruncated
			}
			f.u, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireFixed32:
			if len(b) < 4 {
				return errTruncated
			}
			f.u, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errTruncated
			}
			f.bytes, b = b[n:n+int(l)], b[n+int(l):]
		default:
			// Groups (3, 4) are not used by event.proto; 6 and 7 do not exist.
			return fmt.Errorf("field %d: unsupported wire type %d", f.num, f.wire)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// expect reports a field whose wire type differs from the schema's.
func expect(f field, wire int, name string) error {
	if f.wire != wire {
		return fmt.Errorf("%s (field %d): wire type %d, want %d", name, f.num, f.wire, wire)
	}
	return nil
}

// unmarshal decodes an Event, skipping fields outside the subset it knows
// (summaries other than simple_value, such as images or tensors, are skipped
// value by value).
func (ev *Event) unmarshal(b []byte) error {
	*ev = Event{}
	return fields(b, func(f field) error {
		switch f.num {
		case eventWallTime:
			if err := expect(f, wireFixed64, "Event.wall_time"); err != nil {
				return err
			}
			ev.WallTime = math.Float64frombits(f.u)
		case eventStep:
			if err := expect(f, wireVarint, "Event.step"); err != nil {
				return err
			}
			ev.Step = int64(f.u)
		case eventFileVersion:
			if err := expect(f, wireBytes, "Event.file_version"); err != nil {
				return err
			}
			ev.FileVersion = string(f.bytes)
		case eventSummary:
			if err := expect(f, wireBytes, "Event.summary"); err != nil {
				return err
			}
			if ev.Values == nil {
				ev.Values = []Value{}
			}
			return fields(f.bytes, func(f field) error {
				if f.num != summaryValue {
					return nil
				}
				if err := expect(f, wireBytes, "Summary.value"); err != nil {
					return err
				}
				var v Value
				simple := false
				err := fields(f.bytes, func(f field) error {
					switch f.num {
					case valueTag:
						if err := expect(f, wireBytes, "Summary.Value.tag"); err != nil {
							return err
						}
						v.Tag = string(f.bytes)
					case valueSimpleValue:
						if err := expect(f, wireFixed32, "Summary.Value.simple_value"); err != nil {
							return err
						}
						v.Value = float64(math.Float32frombits(uint32(f.u)))
						simple = true
					}
					return nil
				})
				if err != nil {
					return err
				}
				if simple {
					ev.Values = append(ev.Values, v)
				}
				return nil
			})
		}
		return nil
	})
}
