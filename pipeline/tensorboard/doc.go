// Package tensorboard writes TensorBoard event files of scalar summaries,
// and reads them back, with the standard library only.
//
// An event file is a sequence of TFRecords. Each record is
//
//	uint64 length            little-endian
//	uint32 masked CRC-32C    of the 8 length bytes
//	[length]byte data        one serialized Event protocol buffer
//	uint32 masked CRC-32C    of the data
//
// where a masked CRC is ((crc >> 15) | (crc << 17)) + 0xa282ead8, the
// masking TensorFlow applies so that a CRC of data holding CRCs stays
// well distributed.
//
// The protocol buffers are encoded and decoded by hand. Only this subset of
// tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto
// is used; the reader skips every other field:
//
//	message Event {
//	  double  wall_time    = 1;  // seconds since the Unix epoch
//	  int64   step         = 2;
//	  string  file_version = 3;  // "brain.Event:2" in the first event
//	  Summary summary      = 5;
//	}
//	message Summary {
//	  repeated Value value = 1;
//	  message Value {
//	    string tag          = 1;
//	    float  simple_value = 2;
//	  }
//	}
//
// Fields holding their proto3 default (step 0, an empty string) are left
// out, as protobuf serializers do, so the files are byte for byte what
// TensorFlow's writer produces for the same events.
package tensorboard
