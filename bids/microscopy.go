package bids

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
)

// Microscopy is a 2-D microscopy image (PNG, TIFF or JPEG) read as
// ivadomed reads it: one gray channel, alpha dropped, colour turned to gray
// with the ITU-R 601-2 luma weights 0.299 R + 0.587 G + 0.114 B.
type Microscopy struct {
	Height, Width int
	Channels      int // as stored: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
	BitDepth      int // as stored: 8 or 16
	// Gray holds Height×Width values, row after row, in the stored range
	// (0..255 or 0..65535).
	Gray []float32
	// Zooms are the pixel sizes in mm along [rows (Y), columns (X), Z],
	// from the sidecar's PixelSize [X, Y(, Z)] in PixelSizeUnits; a
	// missing or zero Z takes X's size (a NIfTI pixdim must not be 0).
	// Zero when the sidecar has no PixelSize.
	Zooms [3]float64
}

// ReadMicroscopy decodes a microscopy image. meta is the image's sidecar
// metadata (Dataset.Metadata), used for PixelSize and PixelSizeUnits; it
// may be nil. ivadomed's PixelSize may be a number (same size on X and Y)
// or a list of 2 or 3 numbers; units are mm, um (µm) or nm.
func ReadMicroscopy(path string, meta map[string]any) (*Microscopy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bids: %w", err)
	}
	m, err := decodeMicroscopy(b, path)
	if err != nil {
		return nil, fmt.Errorf("bids: %s: %w", path, err)
	}
	if meta != nil {
		if err := m.setZooms(meta); err != nil {
			return nil, fmt.Errorf("bids: %s: sidecar %w", path, err)
		}
	}
	return m, nil
}

func decodeMicroscopy(b []byte, name string) (*Microscopy, error) {
	low := strings.ToLower(name)
	if strings.HasSuffix(low, ".tif") || strings.HasSuffix(low, ".tiff") {
		r, err := decodeTIFF(b)
		if err != nil {
			return nil, err
		}
		m := &Microscopy{Height: r.h, Width: r.w, Channels: r.spp, BitDepth: r.bits, Gray: make([]float32, r.w*r.h)}
		for i := range m.Gray {
			px := r.pix[i*r.spp : (i+1)*r.spp]
			m.Gray[i] = luma(px, r.spp)
		}
		return m, nil
	}
	var img image.Image
	var err error
	var cfgModel string
	switch {
	case strings.HasSuffix(low, ".png"):
		img, err = png.Decode(bytes.NewReader(b))
		cfgModel = "png"
	case strings.HasSuffix(low, ".jpg") || strings.HasSuffix(low, ".jpeg"):
		img, err = jpeg.Decode(bytes.NewReader(b))
		cfgModel = "jpeg"
	default:
		return nil, fmt.Errorf("not a microscopy image (want .png, .tif, .tiff, .jpg or .jpeg)")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgModel, err)
	}
	bnd := img.Bounds()
	m := &Microscopy{Height: bnd.Dy(), Width: bnd.Dx(), Gray: make([]float32, bnd.Dx()*bnd.Dy())}
	var px [4]uint16
	set := func(i int, spp int) { m.Gray[i] = luma(px[:spp], spp) }
	i := 0
	switch im := img.(type) {
	case *image.Gray:
		m.Channels, m.BitDepth = 1, 8
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				px[0] = uint16(im.GrayAt(x, y).Y)
				set(i, 1)
				i++
			}
		}
	case *image.Gray16:
		m.Channels, m.BitDepth = 1, 16
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				px[0] = im.Gray16At(x, y).Y
				set(i, 1)
				i++
			}
		}
	case *image.NRGBA:
		m.Channels, m.BitDepth = 4, 8
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				c := im.NRGBAAt(x, y)
				px = [4]uint16{uint16(c.R), uint16(c.G), uint16(c.B), uint16(c.A)}
				set(i, 4)
				i++
			}
		}
	case *image.NRGBA64:
		m.Channels, m.BitDepth = 4, 16
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				c := im.NRGBA64At(x, y)
				px = [4]uint16{c.R, c.G, c.B, c.A}
				set(i, 4)
				i++
			}
		}
	case *image.RGBA: // PNG colour without alpha: A is 255, so not premultiplied
		m.Channels, m.BitDepth = 3, 8
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				c := im.RGBAAt(x, y)
				px = [4]uint16{uint16(c.R), uint16(c.G), uint16(c.B)}
				set(i, 3)
				i++
			}
		}
	case *image.RGBA64:
		m.Channels, m.BitDepth = 3, 16
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				c := im.RGBA64At(x, y)
				px = [4]uint16{c.R, c.G, c.B}
				set(i, 3)
				i++
			}
		}
	default: // paletted PNG, YCbCr JPEG: through 8-bit non-premultiplied RGBA
		m.Channels, m.BitDepth = 3, 8
		if _, ok := img.(*image.YCbCr); !ok {
			m.Channels = 4
		}
		for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
			for x := bnd.Min.X; x < bnd.Max.X; x++ {
				c := image.NewNRGBA(image.Rect(0, 0, 1, 1))
				c.Set(0, 0, img.At(x, y))
				p := c.NRGBAAt(0, 0)
				px = [4]uint16{uint16(p.R), uint16(p.G), uint16(p.B), uint16(p.A)}
				set(i, 3)
				i++
			}
		}
	}
	return m, nil
}

// luma turns a pixel's samples into gray: gray and gray+alpha keep the
// gray sample, RGB(A) weighs R, G and B.
func luma(px []uint16, spp int) float32 {
	if spp <= 2 {
		return float32(px[0])
	}
	return float32(0.299*float64(px[0]) + 0.587*float64(px[1]) + 0.114*float64(px[2]))
}

// setZooms reads PixelSize and PixelSizeUnits.
func (m *Microscopy) setZooms(meta map[string]any) error {
	ps, ok := meta["PixelSize"]
	if !ok {
		return nil
	}
	var size []float64
	num := func(v any) (float64, bool) {
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			return f, err == nil
		case float64:
			return x, true
		}
		return 0, false
	}
	switch x := ps.(type) {
	case []any:
		if len(x) != 2 && len(x) != 3 {
			return fmt.Errorf("PixelSize has %d values: want [X, Y] or [X, Y, Z]", len(x))
		}
		for _, v := range x {
			f, ok := num(v)
			if !ok || f < 0 {
				return fmt.Errorf("PixelSize %s: want non-negative numbers", FormatValue(ps))
			}
			size = append(size, f)
		}
	default:
		f, ok := num(ps)
		if !ok || f < 0 {
			return fmt.Errorf("PixelSize %s: want a number or a list of 2 or 3 numbers", FormatValue(ps))
		}
		size = []float64{f, f}
	}
	for len(size) < 3 {
		size = append(size, 0)
	}
	for i := range size {
		if size[i] == 0 {
			size[i] = size[0]
		}
	}
	factor := 0.001 // µm, the microscopy default
	if u, ok := meta["PixelSizeUnits"]; ok {
		switch FormatValue(u) {
		case "mm":
			factor = 1
		case "um", "µm", "μm":
			factor = 0.001
		case "nm":
			factor = 1e-6
		default:
			return fmt.Errorf("PixelSizeUnits %q: want mm, um or nm", FormatValue(u))
		}
	}
	// Rows run along Y, columns along X.
	m.Zooms = [3]float64{size[1] * factor, size[0] * factor, size[2] * factor}
	return nil
}
