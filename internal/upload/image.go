package upload

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// Limits on decoding work beyond the dimensions. A full decode is the only proof that
// an image is one, but the decoders' memory and time grow with more than the file size.
const (
	// maxDecodeBytes caps the memory a decode is estimated to take (pixels times bytes
	// per pixel, plus a progressive JPEG's coefficients). 16-bit colour PNGs and
	// progressive JPEGs near MaxPixels exceed it.
	maxDecodeBytes = 512 << 20
	// maxScans and maxScanWork cap a progressive JPEG's scans: each scan revisits every
	// block, so a small file of many empty scans costs minutes of CPU. Encoders write
	// about ten.
	maxScans    = 100
	maxScanWork = 2_000_000_000 // scans × pixels
	// maxSubImages caps the images a Multi-Picture (MPF) JPEG may append after its
	// primary one: phones append an HDR gain map or a depth map this way.
	maxSubImages = 8
	// maxSEF caps a Samsung SEF trailer that is tolerated after a JPEG. Galaxy cameras
	// append a small one (capture time, camera mode) to ordinary photos; a motion photo
	// appends a video, which is well over this and is refused as a polyglot.
	maxSEF = 64 << 10
)

// layout is what walking an image's structure without decoding it tells.
type layout struct {
	// end is the offset just past the format's end marker.
	end int
	// plain are the metadata parts (comments, text chunks, application segments).
	plain [][]byte
	// jpeg only.
	scans       int
	progressive bool
	sampling    int64    // sum over components of h×v/(hmax×vmax), in 1/256ths
	factors     [][2]int // each component's sampling factors
	entropy     int64    // bytes of entropy-coded data
	mpf         bool
	// png only: bytes of compressed pixel data.
	idat int64
	// gif only: frames and their total area.
	frames    int
	frameArea int64
}

// inspectImage judges an image: its declared size first (so a bomb is never decoded),
// then its structure, then a full decode, then what follows its end marker.
func inspectImage(kind Kind, data []byte) (inspection, error) {
	var (
		cfg image.Config
		err error
	)
	switch kind {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case GIF:
		cfg, err = gif.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return inspection{}, refuse(RuleCorrupt)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width > MaxSide || cfg.Height > MaxSide || pixels > MaxPixels {
		return inspection{}, tooLarge()
	}

	var lay layout
	switch kind {
	case JPEG:
		lay, err = walkJPEG(data)
	case PNG:
		lay, err = walkPNG(data)
	case GIF:
		lay, err = walkGIF(data)
	}
	if err != nil {
		return inspection{}, err
	}
	if decodeCost(kind, cfg, lay, data) > maxDecodeBytes || kind == GIF && lay.frameArea > MaxPixels {
		return inspection{}, tooLarge()
	}
	if kind == JPEG && (lay.scans > maxScans || int64(lay.scans)*pixels > maxScanWork) {
		return inspection{}, refuse(RuleCorrupt)
	}
	if !enoughData(kind, cfg, lay, data) {
		return inspection{}, refuse(RuleCorrupt)
	}

	if err := decode(kind, data, cfg, lay); err != nil {
		return inspection{}, err
	}

	trailer := data[lay.end:]
	if kind == JPEG {
		trailer = jpegExtras(trailer, &lay)
	}
	if !plainTrailer(trailer) {
		return inspection{}, refuse(RulePolyglot)
	}
	return inspection{
		width:  cfg.Width,
		height: cfg.Height,
		plain:  append(lay.plain, trailer),
	}, nil
}

func tooLarge() *refusal { return refuse(RuleDimensions, MaxSide, MaxPixels/1_000_000) }

// decodeCost estimates the bytes a full decode allocates.
func decodeCost(kind Kind, cfg image.Config, lay layout, data []byte) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	switch kind {
	case JPEG:
		// The decoded image takes at most 4 bytes a pixel (CMYK, or RGB from an Adobe
		// transform); a progressive decode also keeps every block's 64 int32
		// coefficients, 4 bytes per sample.
		cost := pixels * 4
		if lay.progressive {
			cost += pixels * 4 * lay.sampling / 256
		}
		return cost
	case PNG:
		bpp := int64(8)
		switch cfg.ColorModel {
		case color.GrayModel:
			bpp = 1
		case color.Gray16Model:
			bpp = 2
		case color.RGBAModel, color.NRGBAModel:
			bpp = 4
		default:
			if _, ok := cfg.ColorModel.(color.Palette); ok {
				bpp = 1
			}
		}
		cost := pixels * bpp
		if len(data) > 28 && data[28] == 1 { // Adam7: each pass is decoded on its own
			cost *= 2
		}
		return cost
	case GIF:
		return lay.frameArea
	}
	return 0
}

// enoughData tells whether an image holds enough compressed data to fill the size it
// declares. A file that cannot would make the decoder allocate, and for JPEG work through,
// every declared pixel before failing: a second's CPU and hundreds of megabytes for a
// request of a kilobyte. The bounds hold for every valid file, so none is refused:
//   - JPEG: every 8×8 block costs at least one bit of Huffman code (its DC difference),
//     in a baseline scan and in a progressive file's first DC scan alike.
//   - PNG: deflate compresses at most 1032:1.
func enoughData(kind Kind, cfg image.Config, lay layout, data []byte) bool {
	switch kind {
	case JPEG:
		hmax, vmax := 1, 1
		for _, f := range lay.factors {
			hmax, vmax = max(hmax, f[0]), max(vmax, f[1])
		}
		var blocks int64
		for _, f := range lay.factors {
			w := (int64(cfg.Width)*int64(f[0]) + int64(hmax) - 1) / int64(hmax)
			h := (int64(cfg.Height)*int64(f[1]) + int64(vmax) - 1) / int64(vmax)
			blocks += (w + 7) / 8 * ((h + 7) / 8)
		}
		return lay.entropy*8 >= blocks
	case PNG:
		if len(data) < 26 {
			return false
		}
		channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[data[25]]
		bits := int64(cfg.Width) * channels * int64(data[24])
		raw := (bits + 7) / 8 * int64(cfg.Height)
		return lay.idat*1032+1024 >= raw
	}
	return true
}

// decode decodes the whole image, every frame for a GIF, and checks it has the size its
// header declared.
func decode(kind Kind, data []byte, cfg image.Config, lay layout) error {
	r := bytes.NewReader(data)
	var b image.Rectangle
	switch kind {
	case JPEG:
		img, err := jpeg.Decode(r)
		if err != nil {
			return refuse(RuleCorrupt)
		}
		b = img.Bounds()
	case PNG:
		img, err := png.Decode(r)
		if err != nil {
			return refuse(RuleCorrupt)
		}
		b = img.Bounds()
	case GIF:
		g, err := gif.DecodeAll(r)
		if err != nil || len(g.Image) == 0 || len(g.Image) != lay.frames {
			return refuse(RuleCorrupt)
		}
		b = image.Rect(0, 0, g.Config.Width, g.Config.Height)
	}
	if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return refuse(RuleCorrupt)
	}
	return nil
}

// walkJPEG follows a JPEG's segments from SOI to EOI, skipping entropy-coded data.
func walkJPEG(data []byte) (layout, error) {
	bad := refuse(RuleCorrupt)
	var lay layout
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return lay, bad
	}
	pos := 2
	for {
		// Tolerate a few stray bytes before a marker, as libjpeg and image/jpeg do, but
		// keep them for the markup search: they belong to no segment.
		gap := pos
		for pos < len(data) && data[pos] != 0xFF && pos-gap <= 16 {
			pos++
		}
		if pos-gap > 16 {
			return lay, bad
		}
		if pos > gap {
			lay.plain = append(lay.plain, data[gap:pos])
		}
		for pos < len(data) && data[pos] == 0xFF { // fill bytes
			pos++
		}
		if pos >= len(data) {
			return lay, bad
		}
		m := data[pos]
		pos++
		switch {
		case m == 0xD9: // EOI
			lay.end = pos
			return lay, nil
		case m == 0x00, m == 0xD8:
			return lay, bad
		case m == 0x01, m >= 0xD0 && m <= 0xD7: // TEM, RSTn: no length
			continue
		}
		if pos+2 > len(data) {
			return lay, bad
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 || pos+n > len(data) {
			return lay, bad
		}
		seg := data[pos+2 : pos+n]
		pos += n
		switch {
		case m >= 0xE0 && m <= 0xEF, m == 0xFE: // APPn, COM
			lay.plain = append(lay.plain, seg)
			if m == 0xE2 && bytes.HasPrefix(seg, []byte("MPF\x00")) {
				lay.mpf = true
			}
		case m == 0xC0, m == 0xC1, m == 0xC2:
			if lay.sampling != 0 || !sofSampling(seg, &lay) {
				return lay, bad
			}
			lay.progressive = m == 0xC2
		case m == 0xDA: // SOS: entropy-coded data follows until the next real marker
			lay.scans++
			if lay.scans > maxScans {
				return lay, bad
			}
			start := pos
			for {
				i := bytes.IndexByte(data[pos:], 0xFF)
				if i < 0 || pos+i+1 >= len(data) {
					return lay, bad
				}
				pos += i
				if next := data[pos+1]; next == 0x00 || next >= 0xD0 && next <= 0xD7 {
					pos += 2
					continue
				}
				break
			}
			lay.entropy += int64(pos - start)
		}
	}
}

// sofSampling reads a frame header's components and records the samples a pixel takes
// across them, in 1/256ths, for decodeCost.
func sofSampling(seg []byte, lay *layout) bool {
	if len(seg) < 6 {
		return false
	}
	nc := int(seg[5])
	if nc == 0 || len(seg) < 6+3*nc {
		return false
	}
	hmax, vmax := 1, 1
	for i := range nc {
		hv := seg[6+3*i+1]
		hmax, vmax = max(hmax, int(hv>>4)), max(vmax, int(hv&15))
		lay.factors = append(lay.factors, [2]int{max(1, int(hv>>4)), max(1, int(hv&15))})
	}
	var s int64
	for i := range nc {
		hv := seg[6+3*i+1]
		s += int64(hv>>4) * int64(hv&15) * 256 / int64(hmax*vmax)
	}
	lay.sampling = max(s, 1)
	return true
}

// jpegExtras consumes what may lawfully follow a JPEG's EOI, recording it in lay, and
// returns the rest: the images a Multi-Picture JPEG appends, then a small Samsung trailer.
func jpegExtras(t []byte, lay *layout) []byte {
	for n := 0; lay.mpf && n < maxSubImages && len(t) >= 3 && t[0] == 0xFF && t[1] == 0xD8 && t[2] == 0xFF; n++ {
		sub, err := walkJPEG(t)
		if err != nil {
			break
		}
		lay.plain = append(lay.plain, sub.plain...)
		t = t[sub.end:]
	}
	if samsungTrailer(t) {
		lay.plain = append(lay.plain, t)
		return nil
	}
	return t
}

// samsungTrailer recognises an SEF block: records, a directory starting "SEFH", the
// directory's length (little-endian) and "SEFT" at the very end.
func samsungTrailer(t []byte) bool {
	if len(t) < 12 || len(t) > maxSEF || !bytes.HasSuffix(t, []byte("SEFT")) {
		return false
	}
	n := int64(binary.LittleEndian.Uint32(t[len(t)-8:]))
	dir := int64(len(t)) - 8 - n
	return dir >= 0 && bytes.HasPrefix(t[dir:], []byte("SEFH"))
}

// walkPNG follows a PNG's chunks to IEND. Every chunk but the compressed ones is plain:
// private chunks can hold anything.
func walkPNG(data []byte) (layout, error) {
	bad := refuse(RuleCorrupt)
	var lay layout
	pos := 8
	for {
		if pos+12 > len(data) {
			return lay, bad
		}
		n := int64(binary.BigEndian.Uint32(data[pos:]))
		typ := string(data[pos+4 : pos+8])
		if n > int64(len(data)-pos-12) {
			return lay, bad
		}
		for _, c := range []byte(typ) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return lay, bad
			}
		}
		body := data[pos+8 : pos+8+int(n)]
		pos += 12 + int(n)
		switch typ {
		case "IEND":
			lay.end = pos
			return lay, nil
		case "IDAT":
			lay.idat += n
		case "fdAT", "zTXt", "iCCP":
		default:
			lay.plain = append(lay.plain, body)
		}
	}
}

// walkGIF follows a GIF's blocks to its trailer, counting frames. Extensions (comments,
// application data) are plain; image data is not.
func walkGIF(data []byte) (layout, error) {
	bad := refuse(RuleCorrupt)
	var lay layout
	if len(data) < 13 {
		return lay, bad
	}
	pos := 13
	if data[10]&0x80 != 0 {
		pos += 3 << (data[10]&7 + 1)
	}
	// subBlocks skips a chain of sub-blocks ending in a zero-length one.
	subBlocks := func() bool {
		for pos < len(data) {
			n := int(data[pos])
			pos++
			if n == 0 {
				return true
			}
			pos += n
		}
		return false
	}
	for pos < len(data) {
		switch data[pos] {
		case 0x3B:
			lay.end = pos + 1
			return lay, nil
		case 0x21:
			start := pos
			pos += 2
			if !subBlocks() {
				return lay, bad
			}
			lay.plain = append(lay.plain, data[start:pos])
		case 0x2C:
			if pos+10 > len(data) {
				return lay, bad
			}
			w := int64(binary.LittleEndian.Uint16(data[pos+5:]))
			h := int64(binary.LittleEndian.Uint16(data[pos+7:]))
			lay.frames++
			lay.frameArea += w * h
			flags := data[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << (flags&7 + 1)
			}
			pos++ // LZW minimum code size
			if !subBlocks() {
				return lay, bad
			}
		default:
			return lay, bad
		}
	}
	return lay, bad
}
