package bids

import (
	"fmt"
	"io"
	"strings"
)

// WriteSummary writes a readable account of what the indexer sees: the
// description, subjects and sessions, images per suffix, the derivatives,
// label coverage per label suffix, and the warnings.
func (d *Dataset) WriteSummary(w io.Writer) error {
	ew := &errWriter{w: w}
	p := ew.printf
	name := d.Description.Name
	if name == "" {
		name = "(no name)"
	}
	p("%s: %s", d.Root, name)
	if d.Description.BIDSVersion != "" {
		p(" (BIDS %s)", d.Description.BIDSVersion)
	}
	if d.Description.DatasetType != "" {
		p(" [%s]", d.Description.DatasetType)
	}
	p("\n")
	nses := 0
	for _, s := range d.Sessions {
		nses += len(s)
	}
	p("  subjects: %d", len(d.Subjects))
	if nses > 0 {
		p(", sessions: %d (labels %s)", nses, strings.Join(d.AllSessions(), ", "))
	}
	p("\n")
	if t := d.Participants; t != nil {
		p("  participants.tsv: %d rows, columns %s\n", len(t.Rows), strings.Join(t.Columns, ", "))
	}
	if t := d.Samples; t != nil {
		p("  samples.tsv: %d rows, columns %s\n", len(t.Rows), strings.Join(t.Columns, ", "))
	}
	p("  images: %d", len(d.Images))
	counts := d.SuffixCounts()
	if len(counts) > 0 {
		var parts []string
		for _, k := range sortedKeys(counts) {
			name := k
			if name == "" {
				name = "(no suffix)"
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, counts[k]))
		}
		p(" (%s)", strings.Join(parts, ", "))
	}
	p("\n")
	for _, pl := range d.Derivatives {
		matched := 0
		for _, im := range pl.Images {
			if im.Sources != nil {
				matched++
			}
		}
		desc := ""
		if !pl.HasDescription {
			desc = ", no dataset_description.json"
		}
		p("  derivatives/%s: %d images, %d matched to a raw image%s\n", pl.Name, len(pl.Images), matched, desc)
	}
	if len(d.LabelSuffixes) > 0 {
		p("  label coverage (raw images with the label / all raw images):\n")
		for _, s := range d.LabelSuffixes {
			n := 0
			for _, im := range d.Images {
				for _, l := range im.Labels {
					if l.Suffix == s {
						n++
						break
					}
				}
			}
			p("    %-24s %d/%d\n", s, n, len(d.Images))
		}
		none := 0
		for _, im := range d.Images {
			if len(im.Labels) == 0 {
				none++
			}
		}
		p("    %-24s %d/%d\n", "(no label)", none, len(d.Images))
	}
	if len(d.Warnings) > 0 {
		p("  warnings: %d\n", len(d.Warnings))
		for i, wn := range d.Warnings {
			if i == 20 {
				p("    … %d more (see --json)\n", len(d.Warnings)-20)
				break
			}
			p("    %s\n", wn)
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
