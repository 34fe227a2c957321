package upload

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"strconv"
)

// pdfLexer reads PDF objects from buf, the file or a decoded object stream.
type pdfLexer struct {
	p   *pdfParser
	buf []byte
	pos int
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// ends tells whether a token ending at i is complete.
func (l *pdfLexer) ends(i int) bool {
	return i >= len(l.buf) || isSpace(l.buf[i]) || isDelim(l.buf[i])
}

// skipSpace skips white space and comments.
func (l *pdfLexer) skipSpace() {
	start := l.pos
	defer func() { l.p.lexed += l.pos - start }()
	for l.pos < len(l.buf) {
		switch c := l.buf[l.pos]; {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.buf) && l.buf[l.pos] != '\n' && l.buf[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// keyword consumes kw if it is the next whole token.
func (l *pdfLexer) keyword(kw string) bool {
	l.skipSpace()
	if !bytes.HasPrefix(l.buf[l.pos:], []byte(kw)) || !l.ends(l.pos+len(kw)) {
		return false
	}
	l.pos += len(kw)
	return true
}

// uint reads a non-negative integer of at most ten digits.
func (l *pdfLexer) uint() (int, bool) {
	l.skipSpace()
	start := l.pos
	for l.pos < len(l.buf) && isDigit(l.buf[l.pos]) && l.pos-start < 10 {
		l.pos++
	}
	if l.pos == start || !l.ends(l.pos) {
		l.pos = start
		return 0, false
	}
	n, err := strconv.Atoi(string(l.buf[start:l.pos]))
	return n, err == nil
}

// object reads the next object. A bare keyword (endobj, stream, R…) comes back as a
// pdfKeyword for the caller to judge.
func (l *pdfLexer) object(depth int) (pdfObject, error) {
	if depth > maxPDFDepth {
		return nil, errPDF
	}
	if l.p.tokens++; l.p.tokens > maxPDFTokens || l.p.lexed > maxLexBytes {
		return nil, errBudget
	}
	l.skipSpace()
	if l.pos >= len(l.buf) {
		return nil, errPDF
	}
	switch c := l.buf[l.pos]; {
	case c == '/':
		return l.name(), nil
	case c == '(':
		return l.literal()
	case c == '<' && l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '<':
		l.pos += 2
		return l.dict(depth)
	case c == '<':
		return l.hex()
	case c == '[':
		l.pos++
		return l.array(depth)
	case c == '+' || c == '-' || c == '.' || isDigit(c):
		return l.number()
	case isDelim(c):
		return nil, errPDF
	}
	start := l.pos
	for !l.ends(l.pos) {
		l.pos++
	}
	if l.p.lexed += l.pos - start; l.pos-start > 32 {
		return nil, errPDF
	}
	switch kw := string(l.buf[start:l.pos]); kw {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	default:
		return pdfKeyword(kw), nil
	}
}

// name reads a name, decoding #xx escapes, and notes it if it marks active content: an
// escape such as /J#61vaScript means the same name to a reader.
func (l *pdfLexer) name() pdfName {
	l.pos++
	start := l.pos
	defer func() { l.p.lexed += l.pos - start }()
	var b []byte
	for !l.ends(l.pos) {
		c := l.buf[l.pos]
		if c == '#' && l.pos+2 < len(l.buf) && isHex(l.buf[l.pos+1]) && isHex(l.buf[l.pos+2]) {
			if b == nil {
				b = append([]byte{}, l.buf[start:l.pos]...)
			}
			b = append(b, unhex(l.buf[l.pos+1])<<4|unhex(l.buf[l.pos+2]))
			l.pos += 3
			continue
		}
		if b != nil {
			b = append(b, c)
		}
		l.pos++
	}
	n := string(l.buf[start:l.pos])
	if b != nil {
		n = string(b)
	}
	if l.p.active == "" && activeNames[n] {
		l.p.active = n
	}
	return pdfName(n)
}

// literal skips a (string), with its nested parentheses and escapes.
func (l *pdfLexer) literal() (pdfObject, error) {
	start := l.pos
	defer func() { l.p.lexed += l.pos - start }()
	l.pos++
	depth := 1
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		switch c {
		case '\\':
			l.pos++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return pdfString{}, nil
			}
		}
	}
	return nil, errPDF
}

// hex skips a <hex string>.
func (l *pdfLexer) hex() (pdfObject, error) {
	start := l.pos
	defer func() { l.p.lexed += l.pos - start }()
	l.pos++
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		if c == '>' {
			return pdfString{}, nil
		}
		if !isHex(c) && !isSpace(c) {
			return nil, errPDF
		}
	}
	return nil, errPDF
}

func (l *pdfLexer) array(depth int) (pdfObject, error) {
	var a pdfArray
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return nil, errPDF
		}
		if l.buf[l.pos] == ']' {
			l.pos++
			return a, nil
		}
		o, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, ok := o.(pdfKeyword); ok {
			return nil, errPDF
		}
		a = append(a, o)
	}
}

func (l *pdfLexer) dict(depth int) (pdfObject, error) {
	d := pdfDict{}
	for {
		l.skipSpace()
		if l.pos+1 < len(l.buf) && l.buf[l.pos] == '>' && l.buf[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		if l.pos >= len(l.buf) || l.buf[l.pos] != '/' {
			return nil, errPDF
		}
		k := l.name()
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(pdfKeyword); ok {
			return nil, errPDF
		}
		if v == nil {
			delete(d, k) // a null value is the same as no entry
			continue
		}
		d[k] = v
	}
}

// number reads an integer, a real, or a reference "num gen R".
func (l *pdfLexer) number() (pdfObject, error) {
	start := l.pos
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		if !isDigit(c) && c != '+' && c != '-' && c != '.' {
			break
		}
		l.pos++
	}
	l.p.lexed += l.pos - start
	tok := string(l.buf[start:l.pos])
	if !l.ends(l.pos) {
		return nil, errPDF
	}
	if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
		if isDigit(tok[0]) && n <= 1<<31 {
			save := l.pos
			if gen, ok := l.uint(); ok && l.keyword("R") {
				return pdfRef{num: int(n), gen: gen}, nil
			}
			l.pos = save
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		return nil, errPDF
	}
	return f, nil
}

// indirectAt reads "num gen obj … endobj" at off in the file, with its stream if it has
// one, and returns where it ends.
func (p *pdfParser) indirectAt(off int) (num, gen int, obj pdfObject, end int, err error) {
	l := &pdfLexer{p: p, buf: p.data, pos: off}
	num, ok1 := l.uint()
	gen, ok2 := l.uint()
	if !ok1 || !ok2 || !l.keyword("obj") {
		return 0, 0, nil, 0, errPDF
	}
	if obj, err = l.object(0); err != nil {
		return 0, 0, nil, 0, err
	}
	if kw, ok := obj.(pdfKeyword); ok {
		if kw != "endobj" {
			return 0, 0, nil, 0, errPDF
		}
		return num, gen, nil, l.pos, nil // an empty object is null
	}
	if l.keyword("stream") {
		d, ok := obj.(pdfDict)
		if !ok {
			return 0, 0, nil, 0, errPDF
		}
		if obj, err = p.streamBody(l, d); err != nil {
			return 0, 0, nil, 0, err
		}
	}
	// endobj is not required: writers forget it and no reader needs it.
	l.keyword("endobj")
	return num, gen, obj, l.pos, nil
}

// streamBody reads the data after "stream". It trusts /Length when "endstream" follows
// it, and otherwise looks for "endstream", as readers do for a wrong length.
func (p *pdfParser) streamBody(l *pdfLexer, d pdfDict) (*pdfStream, error) {
	pos := l.pos
	if pos < len(l.buf) && l.buf[pos] == '\r' {
		pos++
	}
	if pos < len(l.buf) && l.buf[pos] == '\n' {
		pos++
	}
	start, end := pos, -1
	if lv, ok := d["Length"]; ok {
		v, err := p.resolve(lv)
		if errors.Is(err, errBudget) {
			return nil, err
		}
		if n, ok := v.(int64); ok && err == nil && n >= 0 && n <= int64(len(l.buf)-start) {
			k := &pdfLexer{p: p, buf: l.buf, pos: start + int(n)}
			if k.keyword("endstream") {
				end, l.pos = start+int(n), k.pos
			}
		}
	}
	if end < 0 {
		if p.lexed > maxLexBytes {
			return nil, errBudget
		}
		i := bytes.Index(l.buf[start:], []byte("endstream"))
		if i < 0 {
			p.lexed += len(l.buf) - start
			return nil, errPDF
		}
		p.lexed += i
		end = start + i
		l.pos = end + len("endstream")
		if end > start && l.buf[end-1] == '\n' {
			end--
		}
		if end > start && l.buf[end-1] == '\r' {
			end--
		}
	}
	return &pdfStream{dict: d, raw: l.buf[start:end], at: start}, nil
}

// decode applies a stream's filters. Only FlateDecode, with or without a PNG
// predictor, is supported: it is what writers use for object and cross-reference
// streams, the only streams decoded here.
func (p *pdfParser) decode(s *pdfStream) ([]byte, error) {
	var filters, parms pdfArray
	switch f := s.dict["Filter"].(type) {
	case nil:
	case pdfName:
		filters = pdfArray{f}
	case pdfArray:
		filters = f
	default:
		return nil, errPDF
	}
	switch d := s.dict["DecodeParms"].(type) {
	case nil:
	case pdfDict:
		parms = pdfArray{d}
	case pdfArray:
		parms = d
	default:
		return nil, errPDF
	}
	data := s.raw
	for i, f := range filters {
		var parm pdfDict
		if i < len(parms) {
			parm, _ = parms[i].(pdfDict)
		}
		switch f {
		case pdfName("FlateDecode"), pdfName("Fl"):
			var err error
			if data, err = p.inflate(data); err != nil {
				return nil, err
			}
			if data, err = unpredict(data, parm); err != nil {
				return nil, err
			}
		default:
			return nil, errPDF
		}
	}
	return data, nil
}

// inflate decompresses within what is left of maxInflate. A truncated stream or a wrong
// checksum keeps what was decoded, as readers do.
func (p *pdfParser) inflate(data []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, errPDF
	}
	left := maxInflate - p.inflated
	out, err := io.ReadAll(io.LimitReader(zr, left+1))
	p.inflated += int64(len(out))
	if int64(len(out)) > left {
		return nil, errBudget
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, zlib.ErrChecksum) {
		return nil, errPDF
	}
	return out, nil
}

// unpredict undoes a PNG predictor (Predictor 10–15), the one cross-reference streams use.
func unpredict(data []byte, parm pdfDict) ([]byte, error) {
	num := func(k pdfName, def, lo, hi int64) (int, bool) {
		v, ok := parm[k]
		if !ok {
			return int(def), true
		}
		n, ok := v.(int64)
		return int(n), ok && n >= lo && n <= hi
	}
	pred, ok := num("Predictor", 1, 1, 15)
	if !ok {
		return nil, errPDF
	}
	if pred == 1 {
		return data, nil
	}
	colors, ok1 := num("Colors", 1, 1, 32)
	bpc, ok2 := num("BitsPerComponent", 8, 1, 16)
	cols, ok3 := num("Columns", 1, 1, 1<<20)
	if pred < 10 || !ok1 || !ok2 || !ok3 {
		return nil, errPDF
	}
	bpp := max(1, (colors*bpc+7)/8)
	rowLen := (colors*bpc*cols + 7) / 8
	out := make([]byte, 0, len(data)/(rowLen+1)*rowLen)
	prev := make([]byte, rowLen)
	for len(data) >= rowLen+1 {
		tag := data[0]
		out = append(out, data[1:rowLen+1]...)
		data = data[rowLen+1:]
		cur := out[len(out)-rowLen:]
		for i := range cur {
			var left, upLeft byte
			if i >= bpp {
				left, upLeft = cur[i-bpp], prev[i-bpp]
			}
			up := prev[i]
			switch tag {
			case 0:
			case 1:
				cur[i] += left
			case 2:
				cur[i] += up
			case 3:
				cur[i] += byte((int(left) + int(up)) / 2)
			case 4:
				cur[i] += paeth(left, up, upLeft)
			default:
				return nil, errPDF
			}
		}
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
