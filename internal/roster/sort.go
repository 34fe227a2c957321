package roster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// DefaultRunBytes is the memory of one sorted run: 32 MiB holds about 450 000 entries, so
// a national roster of 4.3 million makes 10 runs, and the sort holds two runs at a time.
const DefaultRunBytes = 32 << 20

// maxRunBytes keeps offsets in a run within 32 bits.
const maxRunBytes = 1 << 30

// Sorting by NIP before writing is what makes an import fast: the database then appends
// to its NIP index instead of inserting all over it (for SQLite over ten times faster;
// see store/roster.go and bench/RESULTS-roster.md), and a NIP that is twice in the file
// turns up as two neighbours, so it is reported with both lines without an in-memory set
// of every NIP.
//
// Sort is a plain external merge sort. Entries are packed into a run (a byte arena and
// an index of (NIP, line, offset)); a full run is sorted and written to a temporary file
// by a second goroutine while the next one fills. The last run stays in memory, so a
// roster that fits in one run never touches the disk. Sorted then merges the runs.

// item locates one entry in a run. The NIP is kept as a number: 18 digits fit in 64
// bits, and for strings of one length numeric order is the text order.
type item struct {
	key  uint64
	line uint32
	off  uint32
}

// run is a batch of packed entries. A record is uvarint(len) then flags (status, active)
// and the name, instansi and unit, each as uvarint(len) and bytes.
type run struct {
	data []byte
	idx  []item
	tmp  []item // scratch for sort
}

// size is the memory of the run: arena, index and the sort's scratch index.
func (r *run) size() int { return len(r.data) + len(r.idx)*32 }

// add packs a checked row.
func (r *run) add(w *row) {
	var flags byte
	switch w.status {
	case PPPK:
		flags = 1
	case Honorer:
		flags = 2
	}
	if w.active {
		flags |= 4
	}
	n := 1 + uvarintLen(len(w.name)) + len(w.name) + uvarintLen(len(w.instansi)) + len(w.instansi) +
		uvarintLen(len(w.unit)) + len(w.unit)
	r.idx = append(r.idx, item{key: w.key, line: uint32(w.line), off: uint32(len(r.data))})
	r.data = binary.AppendUvarint(r.data, uint64(n))
	r.data = append(r.data, flags)
	for _, s := range [3][]byte{w.name, w.instansi, w.unit} {
		r.data = binary.AppendUvarint(r.data, uint64(len(s)))
		r.data = append(r.data, s...)
	}
}

// sort orders the run by key, then line: a stable LSD radix sort on 16-bit digits, which
// is several times faster than a comparison sort here. Entries are added in line order,
// and stability keeps equal keys in it. Digits that are the same for every key are
// skipped.
func (r *run) sort() {
	if len(r.idx) < 2 {
		return
	}
	if len(r.tmp) < len(r.idx) {
		r.tmp = make([]item, len(r.idx))
	}
	src, dst := r.idx, r.tmp[:len(r.idx)]
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, it := range src {
			count[it.key>>shift&0xffff]++
		}
		if count[src[0].key>>shift&0xffff] == len(src) {
			continue
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, it := range src {
			d := it.key >> shift & 0xffff
			dst[count[d]] = it
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &r.idx[0] {
		copy(r.idx, src)
	}
}

// record gives the packed entry of it.
func (r *run) record(it item) []byte {
	n, k := binary.Uvarint(r.data[it.off:])
	start := int(it.off) + k
	return r.data[start : start+int(n)]
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// unpack rebuilds an entry from its key and packed record, with one allocation for all
// its strings.
func unpack(key uint64, rec []byte, buf []byte) (Entry, []byte, error) {
	if len(rec) < 1 {
		return Entry{}, buf, errCorrupt
	}
	var e Entry
	switch rec[0] & 3 {
	case 0:
		e.Status = PNS
	case 1:
		e.Status = PPPK
	default:
		e.Status = Honorer
	}
	e.Active = rec[0]&4 != 0
	rec = rec[1:]
	// The NIP, then name, instansi and unit.
	buf = appendNIP(buf[:0], key)
	var lens [3]int
	for i := range lens {
		n, k := binary.Uvarint(rec)
		if k <= 0 || int(n) > len(rec)-k {
			return Entry{}, buf, errCorrupt
		}
		lens[i] = int(n)
		buf = append(buf, rec[k:k+int(n)]...)
		rec = rec[k+int(n):]
	}
	s := string(buf)
	e.NIP, s = s[:18], s[18:]
	e.Name, s = s[:lens[0]], s[lens[0]:]
	e.Instansi, e.Unit = s[:lens[1]], s[lens[1]:]
	return e, buf, nil
}

var errCorrupt = errors.New("roster: corrupt sort run")

// Sorted yields the entries of a source in NIP order (then line order). A NIP found
// twice ends it with a *FileError listing the duplicates with both lines; after the
// first one it only looks for more. Close removes its temporary files.
type Sorted struct {
	dir   string
	files []*os.File
	srcs  []runSource
	buf   []byte

	prevKey  uint64
	prevLine int
	started  bool
	dups     FileError
}

// Sort reads all of src (so a bad file is refused before the database is touched) and
// returns its entries sorted by NIP; see Sorted. Memory stays near 2×Options.RunBytes.
func Sort(src Source, opt Options) (*Sorted, error) {
	runBytes := opt.RunBytes
	if runBytes <= 0 {
		runBytes = DefaultRunBytes
	}
	runBytes = min(runBytes, maxRunBytes)
	s := &Sorted{}
	// A full run goes to the spiller, which sorts it, writes it and hands the buffers
	// back; two runs circulate, so parsing and spilling overlap.
	full := make(chan *run)
	free := make(chan *run, 2)
	for range 2 {
		// Preallocated: growing a 32 MiB arena by appends copies it twice over.
		free <- &run{data: make([]byte, 0, runBytes/3*2), idx: make([]item, 0, runBytes/3/32)}
	}
	spilled := make(chan error, 1)
	go func() {
		var err error
		for r := range full {
			if err == nil {
				err = s.spill(r, opt.TempDir)
			}
			r.data, r.idx = r.data[:0], r.idx[:0]
			free <- r
		}
		spilled <- err
	}()
	// A Reader hands over its rows without making strings of them.
	next := func() (*row, error) {
		e, line, err := src.Next()
		if err != nil {
			return nil, err
		}
		w := &row{status: e.Status, active: e.Active, line: line,
			name: []byte(e.Name), instansi: []byte(e.Instansi), unit: []byte(e.Unit)}
		var ok bool
		if w.key, ok = nipKey(e.NIP); !ok {
			return nil, fmt.Errorf("roster sort: line %d: NIP %q is not 18 digits", line, e.NIP)
		}
		return w, nil
	}
	if rd, ok := src.(*Reader); ok {
		next = rd.next
	}
	cur := <-free
	for {
		w, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			close(full)
			<-spilled
			s.Close()
			return nil, err
		}
		cur.add(w)
		if cur.size() >= runBytes {
			full <- cur
			cur = <-free
		}
	}
	close(full)
	if err := <-spilled; err != nil {
		s.Close()
		return nil, err
	}
	cur.sort()
	for _, f := range s.files {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.Close()
			return nil, fmt.Errorf("roster sort: %w", err)
		}
		s.srcs = append(s.srcs, &fileRun{r: bufio.NewReaderSize(f, min(1<<18, runBytes))})
	}
	s.srcs = append(s.srcs, &memRun{r: cur})
	for i := range s.srcs {
		if err := s.srcs[i].advance(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// spill sorts r and writes it to a new temporary file: per entry its key, line and
// packed record.
func (s *Sorted) spill(r *run, tempDir string) error {
	r.sort()
	if s.dir == "" {
		dir, err := os.MkdirTemp(tempDir, "surel-roster-")
		if err != nil {
			return fmt.Errorf("roster sort: %w", err)
		}
		s.dir = dir
	}
	f, err := os.CreateTemp(s.dir, "run-")
	if err != nil {
		return fmt.Errorf("roster sort: %w", err)
	}
	s.files = append(s.files, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var head [12]byte
	for _, it := range r.idx {
		binary.LittleEndian.PutUint64(head[:8], it.key)
		binary.LittleEndian.PutUint32(head[8:], it.line)
		w.Write(head[:])
		n, k := binary.Uvarint(r.data[it.off:])
		w.Write(r.data[it.off : int(it.off)+k+int(n)])
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("roster sort: %w", err)
	}
	return nil
}

// Next returns the entry with the lowest NIP left; see Sorted.
func (s *Sorted) Next() (Entry, int, error) {
	for {
		best := -1
		for i, r := range s.srcs {
			if !r.ok() {
				continue
			}
			if best < 0 || less(r, s.srcs[best]) {
				best = i
			}
		}
		if best < 0 {
			if s.dups.Total > 0 {
				return Entry{}, 0, &s.dups
			}
			return Entry{}, 0, io.EOF
		}
		r := s.srcs[best]
		key, line := r.head()
		dup := s.started && key == s.prevKey
		if !dup {
			s.started, s.prevKey, s.prevLine = true, key, line
		}
		var e Entry
		var err error
		if dup || s.dups.Total == 0 {
			e, s.buf, err = unpack(key, r.record(), s.buf)
			if err != nil {
				return Entry{}, 0, err
			}
		}
		if err := r.advance(); err != nil {
			return Entry{}, 0, err
		}
		if dup {
			s.dups.add(Problem{Line: line, Column: colLabels[colNIP], Reason: "duplicate", Value: e.NIP, Other: s.prevLine})
			continue
		}
		if s.dups.Total > 0 {
			continue
		}
		return e, line, nil
	}
}

// Close removes the temporary files.
func (s *Sorted) Close() error {
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
	if s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir = ""
	return err
}

func less(a, b runSource) bool {
	ka, la := a.head()
	kb, lb := b.head()
	return ka < kb || ka == kb && la < lb
}

// runSource is one sorted run being merged: the current entry's key, line and record,
// until advance finds no more.
type runSource interface {
	ok() bool
	head() (key uint64, line int)
	record() []byte
	advance() error
}

// memRun is the last run, merged from memory.
type memRun struct {
	r   *run
	pos int // of the current entry + 1; 0 before the first advance
}

func (m *memRun) ok() bool { return m.pos > 0 && m.pos <= len(m.r.idx) }
func (m *memRun) head() (uint64, int) {
	it := m.r.idx[m.pos-1]
	return it.key, int(it.line)
}
func (m *memRun) record() []byte { return m.r.record(m.r.idx[m.pos-1]) }
func (m *memRun) advance() error { m.pos++; return nil }

// fileRun is a spilled run, read back in order.
type fileRun struct {
	r    *bufio.Reader
	key  uint64
	line int
	rec  []byte
	done bool
}

func (f *fileRun) ok() bool            { return !f.done }
func (f *fileRun) head() (uint64, int) { return f.key, f.line }
func (f *fileRun) record() []byte      { return f.rec }
func (f *fileRun) advance() error {
	var head [12]byte
	if _, err := io.ReadFull(f.r, head[:]); err != nil {
		if err == io.EOF {
			f.done = true
			return nil
		}
		return fmt.Errorf("roster sort: %w", err)
	}
	f.key = binary.LittleEndian.Uint64(head[:8])
	f.line = int(binary.LittleEndian.Uint32(head[8:]))
	n, err := binary.ReadUvarint(f.r)
	if err != nil {
		return fmt.Errorf("roster sort: %w", err)
	}
	f.rec = slices.Grow(f.rec[:0], int(n))[:n]
	if _, err := io.ReadFull(f.r, f.rec); err != nil {
		return fmt.Errorf("roster sort: %w", err)
	}
	return nil
}
