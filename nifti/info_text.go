package nifti

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

func fmtFloats(xs []F) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(float64(x), 'g', 6, 64)
	}
	return strings.Join(s, " ")
}

// WriteText writes a human-readable summary of in, in the spirit of
// nib-ls and fslhd.
func (in *Info) WriteText(w io.Writer) error {
	var b strings.Builder
	end := "little-endian"
	if in.Endianness != nil && *in.Endianness == ">" {
		end = "big-endian"
	}
	fmt.Fprintf(&b, "%s\n", in.Path)
	fmt.Fprintf(&b, "  format       %s (%s), %s (code %d, %d bits)\n", in.Format, end, in.DatatypeName, in.Datatype, in.Bitpix)
	shape := make([]string, len(in.Shape))
	for i, d := range in.Shape {
		shape[i] = strconv.Itoa(d)
	}
	units := ""
	if in.SpaceUnits != "" {
		units = fmt.Sprintf(" (%s, %s)", in.SpaceUnits, in.TimeUnits)
	}
	fmt.Fprintf(&b, "  shape        %s\n", strings.Join(shape, " x "))
	fmt.Fprintf(&b, "  zooms        %s%s\n", fmtFloats(in.Zooms), units)
	codes := make([]string, len(in.Axcodes))
	for i, c := range in.Axcodes {
		codes[i] = "?"
		if c != nil {
			codes[i] = *c
		}
	}
	src := "fall-back (no qform or sform code)"
	switch {
	case in.NIfTIVersion == nil:
		src = "Analyze (SPM origin)"
	case in.SformCode != nil && *in.SformCode > 0 && *in.SformCode <= 5:
		src = fmt.Sprintf("sform, code %d", *in.SformCode)
	case in.QformCode != nil && *in.QformCode > 0 && *in.QformCode <= 5:
		src = fmt.Sprintf("qform, code %d", *in.QformCode)
	}
	fmt.Fprintf(&b, "  orientation  %s; affine from %s\n", strings.Join(codes, ""), src)
	for _, row := range in.BestAffine[:3] {
		fmt.Fprintf(&b, "               %s\n", fmtFloats(row[:]))
	}
	fmt.Fprintf(&b, "  scaling      scl_slope %g scl_inter %g (applied: x%g %+g)\n", in.SclSlope, in.SclInter, in.EffectiveSlope, in.EffectiveInter)
	if in.IntentCode != nil && *in.IntentCode != 0 {
		fmt.Fprintf(&b, "  intent       %d\n", *in.IntentCode)
	}
	if in.Descrip != "" {
		fmt.Fprintf(&b, "  descrip      %q\n", in.Descrip)
	}
	if len(in.Extensions) > 0 {
		var ex []string
		for _, e := range in.Extensions {
			ex = append(ex, fmt.Sprintf("code %d (%d bytes)", e.Code, e.ESize))
		}
		fmt.Fprintf(&b, "  extensions   %s\n", strings.Join(ex, ", "))
	}
	writeStats := func(label string, s *JSONStats) {
		if s == nil || s.N == 0 || s.Min == nil {
			fmt.Fprintf(&b, "  %-12s n %d\n", label, s.N)
			return
		}
		fmt.Fprintf(&b, "  %-12s n %d  min %g  max %g  mean %g  NaN %d  Inf %d\n", label, s.N, *s.Min, *s.Max, *s.Mean, *s.NaNCount, *s.InfCount)
	}
	switch st := in.DataStats.(type) {
	case *JSONStats:
		writeStats("data ("+in.DataKind+")", st)
	case ComplexStats:
		writeStats("data (real)", st.Real)
		writeStats("data (imag)", st.Imag)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
