package preview

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// jpegQuality is the quality of preview thumbnails.
const jpegQuality = 80

// format is an image format Atlas decodes: its name and its decoders.
type format struct {
	name         string
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
}

// formats are the accepted formats by sniffed type. Each is decoded by its
// own package, never through image.Decode's registry, so no other format
// registered by a dependency is ever tried.
var formats = map[string]format{
	"image/png":  {"png", png.DecodeConfig, png.Decode},
	"image/jpeg": {"jpeg", jpeg.DecodeConfig, jpeg.Decode},
	"image/gif":  {"gif", gif.DecodeConfig, gif.Decode}, // the first frame
	"image/webp": {"webp", webp.DecodeConfig, webp.Decode},
}

// thumbnail checks data and makes the thumbnail of kind k from it.
func (m *Maker) thumbnail(data []byte, k Kind) (Image, error) {
	sniffed := http.DetectContentType(data)
	srcName := ""
	if sniffed == "image/x-icon" {
		png, err := pngInICO(data)
		if err != nil {
			return Image{}, err
		}
		data, sniffed, srcName = png, "image/png", "ico"
	}
	f, ok := formats[sniffed]
	if !ok {
		return Image{}, fail(CodeNotImage, nil, "the file is not an image Atlas reads (%s; PNG, JPEG, GIF and WebP are)", sniffed)
	}
	if srcName == "" {
		srcName = f.name
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, fail(CodeUndecodable, err, "the %s image is damaged", f.name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Image{}, fail(CodeUndecodable, nil, "the %s image has no pixels", f.name)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > m.opts.MaxPixels {
		return Image{}, fail(CodeTooManyPixels, nil, "the image is %d × %d pixels, more than the limit of %d pixels",
			cfg.Width, cfg.Height, m.opts.MaxPixels)
	}
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, fail(CodeUndecodable, err, "the %s image is damaged", f.name)
	}
	box, contentType := PreviewBox, "image/jpeg"
	if k == KindIcon {
		box, contentType = IconBox, "image/png"
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy(), box)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	op := draw.Src
	if contentType == "image/jpeg" {
		// JPEG has no transparency: flatten onto white.
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		op = draw.Over
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), op, nil)
	var out bytes.Buffer
	if contentType == "image/jpeg" {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, dst)
	}
	if err != nil {
		return Image{}, fail(CodeUndecodable, err, "the thumbnail could not be encoded")
	}
	return Image{Data: out.Bytes(), ContentType: contentType, Width: w, Height: h, SourceFormat: srcName}, nil
}

// fit scales w × h down (never up) to fit a box × box square, keeping the
// aspect ratio; neither side ends below one pixel.
func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, h*box/w)
	}
	return max(1, w*box/h), box
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngInICO returns the largest PNG image an ICO file holds. Icons made of
// BMP images only are refused: the standard library has no decoder for
// them, and Atlas does not write its own.
func pngInICO(data []byte) ([]byte, error) {
	const header, entry = 6, 16
	if len(data) < header {
		return nil, fail(CodeUndecodable, nil, "the icon file is damaged")
	}
	count := int(binary.LittleEndian.Uint16(data[4:6]))
	if count == 0 || len(data) < header+count*entry {
		return nil, fail(CodeUndecodable, nil, "the icon file is damaged")
	}
	var best []byte
	bestSide := -1
	for i := range count {
		e := data[header+i*entry : header+(i+1)*entry]
		side := int(e[0])
		if side == 0 {
			side = 256 // 0 means 256 pixels
		}
		size := int64(binary.LittleEndian.Uint32(e[8:12]))
		off := int64(binary.LittleEndian.Uint32(e[12:16]))
		if off < 0 || size <= 0 || off+size > int64(len(data)) {
			continue
		}
		img := data[off : off+size]
		if bytes.HasPrefix(img, pngSignature) && side > bestSide {
			best, bestSide = img, side
		}
	}
	if best == nil {
		return nil, fail(CodeNotImage, nil, "the icon file holds no PNG image (icons of BMP images are not read)")
	}
	return best, nil
}
