package upload

import (
	"bytes"
	"errors"
	"slices"
)

// The PDF checks parse the file with a small reader written for judging, not rendering:
// it follows the cross-reference chain (tables and streams, with incremental updates),
// reads the catalogue and counts the page tree's leaves, and reads every object it can
// find to look for active content. No text, fonts or images are decoded. Real readers
// repair broken files; this one refuses them, since a scanner or office suite writes a
// correct cross-reference and a file that needs repair is one whose meaning differs
// between readers. Every loop and allocation is bounded so that a hostile file costs at
// most a few seconds and a few hundred megabytes.
const (
	maxPDFDepth    = 64         // nesting of arrays and dictionaries
	maxPDFTokens   = 10_000_000 // objects parsed in one file
	maxXrefEntries = 1 << 20    // a 10 MB file cannot hold more objects
	maxXrefChain   = 256        // incremental updates
	maxInflate     = 64 << 20   // bytes decompressed from all streams together
	maxPages       = 100_000
	maxRefChain    = 32 // a reference resolving to a reference…
	// maxLexBytes caps the bytes lexed in all. Objects are parsed from every place the
	// scan finds "obj", and a string or comment that never closes is read to the end of
	// the file each time: without a cap, a file made of such openings costs quadratic
	// time.
	maxLexBytes = 256 << 20
)

// activeNames are the PDF names of features a scanned document never needs and that make
// a reader run code, open other files or carry other files: actions (JavaScript, Launch,
// SubmitForm, ImportData, GoToE), embedded and attached files, Flash and XFA forms. A
// name anywhere in any object counts, as a dictionary key or a value.
var activeNames = map[string]bool{
	"JavaScript": true, "JS": true, "Launch": true, "SubmitForm": true, "ImportData": true,
	"GoToE": true, "EmbeddedFile": true, "EmbeddedFiles": true, "EF": true,
	"FileAttachment": true, "RichMedia": true, "XFA": true,
}

// The object model: PDF null is nil, and integers are int64.
type (
	pdfObject  = any
	pdfName    string
	pdfString  struct{} // contents are never needed
	pdfArray   []pdfObject
	pdfDict    map[pdfName]pdfObject
	pdfKeyword string
	pdfRef     struct{ num, gen int }
	pdfStream  struct {
		dict pdfDict
		raw  []byte
		at   int // offset of raw in the file, which identifies the stream
	}
)

type xrefEntry struct {
	typ byte // 0 free, 1 at an offset, 2 inside an object stream
	a   int  // offset, or the object stream's number
	b   int  // generation, or the index inside the object stream
}

type stmObject struct {
	num int
	obj pdfObject
}

// pdfParser holds one file's state. It is used once and thrown away.
type pdfParser struct {
	data     []byte
	xref     map[int]xrefEntry
	trailer  pdfDict
	cache    map[int]pdfObject
	stms     map[int][]stmObject // parsed object streams by pdfStream.at
	busy     map[int]bool
	inflated int64
	tokens   int
	lexed    int    // bytes read by the lexer, against maxLexBytes
	active   string // the first active-content name seen
}

var (
	errPDF       = errors.New("upload: malformed pdf")
	errEncrypted = errors.New("upload: encrypted pdf")
)

// inspectPDF judges a file that starts with a PDF header.
func inspectPDF(data []byte) (inspection, error) {
	p := &pdfParser{
		data:  data,
		xref:  map[int]xrefEntry{},
		cache: map[int]pdfObject{},
		stms:  map[int][]stmObject{},
		busy:  map[int]bool{},
	}
	eof, err := p.loadXref()
	switch {
	case errors.Is(err, errEncrypted):
		return inspection{}, refuse(RuleEncrypted)
	case err != nil:
		return inspection{}, refuse(RuleCorrupt)
	}
	pages, err := p.countPages()
	if err != nil {
		return inspection{}, refuse(RuleCorrupt)
	}
	if err := p.readAll(); err != nil {
		return inspection{}, refuse(RuleCorrupt)
	}
	if p.active == "" {
		if err := p.scanObjects(); err != nil {
			return inspection{}, refuse(RuleCorrupt)
		}
	}
	if p.active != "" {
		return inspection{}, refuse(RuleActiveContent)
	}
	trailer := data[eof:]
	if !plainTrailer(trailer) {
		return inspection{}, refuse(RulePolyglot)
	}
	return inspection{pages: pages, plain: [][]byte{trailer}}, nil
}

// loadXref finds the last startxref and follows the cross-reference chain from it,
// newest section first, so an object's newest entry wins. It returns the offset just
// past the last %%EOF.
func (p *pdfParser) loadXref() (int, error) {
	d := p.data
	eof := bytes.LastIndex(d, []byte("%%EOF"))
	sx := bytes.LastIndex(d, []byte("startxref"))
	if eof < 0 || sx < 0 || sx > eof {
		return 0, errPDF
	}
	l := &pdfLexer{p: p, buf: d, pos: sx + len("startxref")}
	off, ok := l.uint()
	if !ok {
		return 0, errPDF
	}
	for l.pos < eof && isSpace(d[l.pos]) {
		l.pos++
	}
	if l.pos != eof {
		return 0, errPDF
	}
	seen := map[int]bool{}
	for n := 0; ; n++ {
		if n >= maxXrefChain || seen[off] || off <= 0 || off >= len(d) {
			return 0, errPDF
		}
		seen[off] = true
		trailer, err := p.xrefSection(off)
		if err != nil {
			return 0, err
		}
		if p.trailer == nil {
			p.trailer = trailer
		}
		if _, ok := trailer["Encrypt"]; ok {
			return 0, errEncrypted
		}
		prev, ok := trailer["Prev"]
		if !ok {
			break
		}
		pv, ok := prev.(int64)
		if !ok || pv > int64(len(d)) {
			return 0, errPDF
		}
		off = int(pv)
	}
	if _, ok := p.trailer["Root"].(pdfRef); !ok {
		return 0, errPDF
	}
	return eof + len("%%EOF"), nil
}

// xrefSection reads the table or stream at off and records its entries that no newer
// section has given, returning its trailer dictionary.
func (p *pdfParser) xrefSection(off int) (pdfDict, error) {
	l := &pdfLexer{p: p, buf: p.data, pos: off}
	l.skipSpace()
	if !l.keyword("xref") {
		return p.xrefStream(off)
	}
	for {
		l.skipSpace()
		if l.keyword("trailer") {
			break
		}
		start, ok1 := l.uint()
		count, ok2 := l.uint()
		if !ok1 || !ok2 || count > maxXrefEntries {
			return nil, errPDF
		}
		for i := range count {
			o, ok1 := l.uint()
			g, ok2 := l.uint()
			l.skipSpace()
			if !ok1 || !ok2 || l.pos >= len(l.buf) {
				return nil, errPDF
			}
			t := l.buf[l.pos]
			l.pos++
			switch t {
			case 'n':
				if err := p.addXref(start+i, xrefEntry{typ: 1, a: o, b: g}); err != nil {
					return nil, err
				}
			case 'f':
				if err := p.addXref(start+i, xrefEntry{}); err != nil {
					return nil, err
				}
			default:
				return nil, errPDF
			}
		}
	}
	obj, err := l.object(0)
	if err != nil {
		return nil, err
	}
	trailer, ok := obj.(pdfDict)
	if !ok {
		return nil, errPDF
	}
	// A hybrid file also lists its compressed objects in a stream the table points at.
	if x, ok := trailer["XRefStm"]; ok {
		xo, ok := x.(int64)
		if !ok || xo <= 0 || xo >= int64(len(p.data)) {
			return nil, errPDF
		}
		if _, err := p.xrefStream(int(xo)); err != nil {
			return nil, err
		}
	}
	return trailer, nil
}

func (p *pdfParser) addXref(num int, e xrefEntry) error {
	if _, ok := p.xref[num]; ok || num == 0 {
		return nil
	}
	if len(p.xref) >= maxXrefEntries {
		return errPDF
	}
	p.xref[num] = e
	return nil
}

// xrefStream reads a cross-reference stream (PDF 1.5) at off.
func (p *pdfParser) xrefStream(off int) (pdfDict, error) {
	_, _, obj, _, err := p.indirectAt(off)
	if err != nil {
		return nil, err
	}
	s, ok := obj.(*pdfStream)
	if !ok || s.dict["Type"] != pdfName("XRef") {
		return nil, errPDF
	}
	if _, ok := s.dict["Encrypt"]; ok {
		return nil, errEncrypted
	}
	wa, ok := s.dict["W"].(pdfArray)
	if !ok || len(wa) != 3 {
		return nil, errPDF
	}
	var w [3]int
	for i, v := range wa {
		n, ok := v.(int64)
		if !ok || n < 0 || n > 8 {
			return nil, errPDF
		}
		w[i] = int(n)
	}
	size, ok := s.dict["Size"].(int64)
	if !ok || size < 0 || size > maxXrefEntries {
		return nil, errPDF
	}
	index := pdfArray{int64(0), size}
	if ix, ok := s.dict["Index"]; ok {
		if index, ok = ix.(pdfArray); !ok || len(index)%2 != 0 {
			return nil, errPDF
		}
	}
	body, err := p.decode(s)
	if err != nil {
		return nil, err
	}
	width := w[0] + w[1] + w[2]
	if width == 0 {
		return nil, errPDF
	}
	field := func(b []byte) int {
		v := 0
		for _, c := range b {
			v = v<<8 | int(c)
		}
		return v
	}
	for i := 0; i < len(index); i += 2 {
		start, ok1 := index[i].(int64)
		count, ok2 := index[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || start > maxXrefEntries || count > int64(len(body)/width) {
			return nil, errPDF
		}
		for j := range int(count) {
			if len(body) < width {
				return nil, errPDF
			}
			row := body[:width]
			body = body[width:]
			typ := 1
			if w[0] > 0 {
				typ = field(row[:w[0]])
			}
			a, b := field(row[w[0]:w[0]+w[1]]), field(row[w[0]+w[1]:])
			var e xrefEntry
			switch typ {
			case 0:
			case 1, 2:
				if a < 0 || b < 0 {
					return nil, errPDF
				}
				e = xrefEntry{typ: byte(typ), a: a, b: b}
			default:
				continue // reserved types are to be ignored
			}
			if err := p.addXref(int(start)+j, e); err != nil {
				return nil, err
			}
		}
	}
	return s.dict, nil
}

// countPages walks the page tree from the catalogue and counts its leaves.
func (p *pdfParser) countPages() (int, error) {
	root, err := p.resolve(p.trailer["Root"])
	if err != nil {
		return 0, err
	}
	cat, ok := root.(pdfDict)
	if !ok {
		return 0, errPDF
	}
	if _, ok := cat["Pages"].(pdfRef); !ok {
		return 0, errPDF
	}
	seen := map[pdfRef]bool{}
	var walk func(ref pdfObject, depth int) (int, error)
	walk = func(ref pdfObject, depth int) (int, error) {
		r, ok := ref.(pdfRef)
		if !ok || seen[r] || depth > maxPDFDepth {
			return 0, errPDF
		}
		seen[r] = true
		o, err := p.resolve(r)
		if err != nil {
			return 0, err
		}
		node, ok := o.(pdfDict)
		if !ok {
			return 0, errPDF
		}
		kids, hasKids := node["Kids"]
		if node["Type"] == pdfName("Page") || node["Type"] == nil && !hasKids {
			return 1, nil
		}
		if node["Type"] != pdfName("Pages") && node["Type"] != nil {
			return 0, errPDF
		}
		ks, err := p.resolve(kids)
		if err != nil {
			return 0, err
		}
		arr, ok := ks.(pdfArray)
		if !ok {
			return 0, errPDF
		}
		total := 0
		for _, k := range arr {
			n, err := walk(k, depth+1)
			if err != nil {
				return 0, err
			}
			if total += n; total > maxPages {
				return 0, errPDF
			}
		}
		return total, nil
	}
	n, err := walk(cat["Pages"], 0)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errPDF
	}
	return n, nil
}

// readAll reads every object the cross-reference lists, wherever it is, so that active
// content is seen even in an object that the scan below misses because it lies inside
// another object's string or stream. One that does not parse makes the file corrupt: a
// reader that parses it differently could find anything in it.
// Objects are read in number order, so that a file with several faults is always
// refused for the same one, and dropped from the cache after, to bound memory.
func (p *pdfParser) readAll() error {
	nums := make([]int, 0, len(p.xref))
	for num := range p.xref {
		nums = append(nums, num)
	}
	slices.Sort(nums)
	for _, num := range nums {
		_, cached := p.cache[num]
		if _, err := p.get(num); err != nil {
			return err
		}
		if !cached {
			delete(p.cache, num)
		}
	}
	return nil
}

// scanObjects reads every "N G obj" in the file, whether the cross-reference lists it or
// not, and every object inside object streams, so that active content cannot hide in an
// old revision or an orphan object that a repairing reader would still find. Objects
// that do not parse are skipped: the pattern can occur by chance in binary data.
func (p *pdfParser) scanObjects() error {
	d := p.data
	for pos := 0; pos < len(d) && p.active == ""; {
		i := bytes.Index(d[pos:], []byte("obj"))
		if i < 0 {
			break
		}
		at := pos + i
		pos = at + 3
		start := objStart(d, at)
		if start < 0 {
			continue
		}
		_, _, obj, end, err := p.indirectAt(start)
		if errors.Is(err, errBudget) {
			return err
		}
		if err != nil {
			continue
		}
		if s, ok := obj.(*pdfStream); ok {
			pos = max(pos, end) // what a stream holds is data, not objects
			if s.dict["Type"] == pdfName("ObjStm") {
				if _, err := p.parseObjStm(s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// objStart returns where the "N G " before an "obj" keyword at at begins, or -1.
func objStart(d []byte, at int) int {
	if at+3 < len(d) && !isDelim(d[at+3]) && !isSpace(d[at+3]) {
		return -1
	}
	i := at
	for n := 0; n < 2; n++ {
		j := i
		for j > 0 && isSpace(d[j-1]) {
			j--
		}
		if j == i {
			return -1
		}
		k := j
		for k > 0 && d[k-1] >= '0' && d[k-1] <= '9' {
			k--
		}
		if k == j {
			return -1
		}
		i = k
	}
	if i > 0 && !isSpace(d[i-1]) && !isDelim(d[i-1]) {
		return -1
	}
	return i
}

var errBudget = errors.New("upload: pdf too complex")

// resolve follows references to an object. A reference to an object the
// cross-reference does not list is null, as the standard says.
func (p *pdfParser) resolve(o pdfObject) (pdfObject, error) {
	for range maxRefChain {
		r, ok := o.(pdfRef)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = p.get(r.num); err != nil {
			return nil, err
		}
	}
	return nil, errPDF
}

// get reads object num through the cross-reference.
func (p *pdfParser) get(num int) (pdfObject, error) {
	if o, ok := p.cache[num]; ok {
		return o, nil
	}
	e, ok := p.xref[num]
	if !ok || e.typ == 0 {
		return nil, nil
	}
	// busy holds the objects being read further up the stack: one of them again is a
	// cycle, and too many is a chain built to exhaust the stack.
	if p.busy[num] || len(p.busy) >= maxPDFDepth {
		return nil, errPDF
	}
	p.busy[num] = true
	defer delete(p.busy, num)
	var obj pdfObject
	switch e.typ {
	case 1:
		if e.a <= 0 || e.a >= len(p.data) {
			return nil, errPDF
		}
		n, _, o, _, err := p.indirectAt(e.a)
		if err != nil {
			return nil, err
		}
		if n != num {
			return nil, errPDF
		}
		obj = o
	case 2:
		se, ok := p.xref[e.a]
		if !ok || se.typ != 1 {
			return nil, errPDF
		}
		so, err := p.get(e.a)
		if err != nil {
			return nil, err
		}
		s, ok := so.(*pdfStream)
		if !ok {
			return nil, errPDF
		}
		objs, err := p.parseObjStm(s)
		if err != nil {
			return nil, err
		}
		if e.b >= len(objs) || objs[e.b].num != num {
			return nil, errPDF
		}
		obj = objs[e.b].obj
	}
	p.cache[num] = obj
	return obj, nil
}

// parseObjStm decodes an object stream and parses every object in it.
func (p *pdfParser) parseObjStm(s *pdfStream) ([]stmObject, error) {
	if objs, ok := p.stms[s.at]; ok {
		return objs, nil
	}
	if s.dict["Type"] != pdfName("ObjStm") {
		return nil, errPDF
	}
	n, ok1 := s.dict["N"].(int64)
	first, ok2 := s.dict["First"].(int64)
	if !ok1 || !ok2 || n < 0 || first < 0 {
		return nil, errPDF
	}
	body, err := p.decode(s)
	if err != nil {
		return nil, err
	}
	if n > int64(len(body)/2) || first > int64(len(body)) {
		return nil, errPDF
	}
	head := &pdfLexer{p: p, buf: body[:first]}
	objs := make([]stmObject, 0, n)
	for range n {
		num, ok1 := head.uint()
		off, ok2 := head.uint()
		if !ok1 || !ok2 || off > len(body)-int(first) {
			return nil, errPDF
		}
		l := &pdfLexer{p: p, buf: body, pos: int(first) + off}
		o, err := l.object(0)
		if err != nil {
			return nil, err
		}
		if _, ok := o.(pdfKeyword); ok {
			return nil, errPDF
		}
		objs = append(objs, stmObject{num: num, obj: o})
	}
	// Objects are mostly read stream by stream, so a few parsed streams suffice.
	if len(p.stms) >= 4 {
		clear(p.stms)
	}
	p.stms[s.at] = objs
	return objs, nil
}
