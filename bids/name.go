package bids

import "strings"

// multiExts are the extensions made of more than one dot-separated part,
// longest first where one is a suffix of another.
var multiExts = []string{".nii.gz", ".ome.tiff", ".ome.tif", ".ome.zarr", ".tsv.gz", ".ome.btf"}

// imageExts are the extensions of files indexed as images.
var imageExts = []string{".nii.gz", ".nii", ".ome.tiff", ".ome.tif", ".tiff", ".tif", ".png", ".jpg", ".jpeg"}

// Entity is one key-value pair of a BIDS file name, such as sub-01.
type Entity struct {
	Key   string
	Value string
}

// BareToken is a '_'-separated token of a file name that is neither an
// entity nor the suffix, with its position among the tokens. ivadomed
// label names have one: the T2w in sub-01_T2w_seg-manual.
type BareToken struct {
	Pos   int
	Token string
}

// Name is a file name split into its BIDS parts.
type Name struct {
	Stem      string      // the name without its extension
	Extension string      // with its leading dot; "" when there is none
	Entities  []Entity    // key-value tokens in file-name order
	Suffix    string      // the last token when it has no '-'; "" otherwise
	Bare      []BareToken // other tokens without '-'

	hasSuffix bool // the last token has no '-' (Suffix may still be "")
}

// SplitExt splits a file name into stem and extension. The multi-part
// extensions .nii.gz, .ome.tif(f), .ome.zarr, .tsv.gz and .ome.btf are kept
// whole; a leading dot (a hidden file) does not start an extension.
func SplitExt(name string) (stem, ext string) {
	for _, m := range multiExts {
		if strings.HasSuffix(name, m) {
			return name[:len(name)-len(m)], m
		}
	}
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return name, ""
	}
	return name[:i], name[i:]
}

// ParseName splits a BIDS file name (without directories) into entities,
// suffix and extension. Every '_'-separated token holding a '-' is an
// entity, split on its first '-'; the last token, when it has no '-', is the
// suffix; other tokens without '-' are kept in Bare. ParseName never fails:
// whether the result is valid BIDS is for Validate to say.
func ParseName(name string) Name {
	stem, ext := SplitExt(name)
	n := Name{Stem: stem, Extension: ext}
	ntok := strings.Count(stem, "_") + 1
	i := 0
	for tok := range strings.SplitSeq(stem, "_") {
		if k, v, ok := strings.Cut(tok, "-"); ok {
			n.Entities = append(n.Entities, Entity{k, v})
		} else if i == ntok-1 {
			n.Suffix, n.hasSuffix = tok, true
		} else {
			n.Bare = append(n.Bare, BareToken{i, tok})
		}
		i++
	}
	return n
}

// Get returns the value of the first entity with the given key.
func (n Name) Get(key string) (string, bool) {
	for _, e := range n.Entities {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// HasSuffix reports whether the name ends with a suffix token (one
// without '-'); it tells an empty suffix from none.
func (n Name) HasSuffix() bool { return n.hasSuffix }

// IsImage reports whether a file name has one of the image extensions the
// indexer lists: .nii, .nii.gz, .png, .tif, .tiff, .ome.tif, .ome.tiff,
// .jpg, .jpeg.
func IsImage(name string) bool {
	for _, e := range imageExts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}
