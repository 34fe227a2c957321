package letter

import (
	"strconv"
	"strings"
	"time"
)

// Pattern is a letter-number pattern: literal text with tokens in braces.
//
//	{seq}           the number in the series: 1, 2, … ({seq:4} pads to 0001)
//	{kode}          the kind's code (Series.Code): TT, SPA, SHP, LAP by default
//	{kantor}        the office's code (Settings.Office)
//	{bulan}         the month, 01–12; {bulan-romawi} in Roman numerals, I–XII
//	{tahun}         the year, 2026
//
// A pattern holds {seq} once. With {tahun} its series restarts every year (the usual
// register of an Indonesian office); without, it never restarts, and then a month
// token is refused, since "5/XII" would come round again next December. Literal text
// is letters, digits, spaces and . / - _.
type Pattern string

// The rules a pattern can break, as errs rule names.
const (
	rulePatternSeq   = "pattern_seq"
	rulePatternToken = "pattern_token"
	rulePatternYear  = "pattern_year"
	rulePatternChar  = "pattern_char"
	rulePatternLen   = "pattern_len"
)

// patternError is a broken pattern rule; its text is the rule's name.
type patternError string

func (e patternError) Error() string { return string(e) }

// token is one part of a parsed pattern: literal text, or a token name with its width.
type token struct {
	lit   string
	name  string
	width int
}

func (p Pattern) parse() ([]token, error) {
	s := string(p)
	if len(s) == 0 || len(s) > 100 {
		return nil, patternError(rulePatternLen)
	}
	var out []token
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			lit := s[:i]
			for _, r := range lit {
				if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(" ./-_", r)) {
					return nil, patternError(rulePatternChar)
				}
			}
			out = append(out, token{lit: lit})
			s = s[i:]
			continue
		}
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return nil, patternError(rulePatternToken)
		}
		name, width := s[1:j], 0
		if n, w, ok := strings.Cut(name, ":"); ok && n == "seq" {
			v, err := strconv.Atoi(w)
			if err != nil || v < 1 || v > 9 {
				return nil, patternError(rulePatternToken)
			}
			name, width = n, v
		}
		switch name {
		case "seq", "kode", "kantor", "bulan", "bulan-romawi", "tahun":
		default:
			return nil, patternError(rulePatternToken)
		}
		out = append(out, token{name: name, width: width})
		s = s[j+1:]
	}
	return out, nil
}

// Check reports the first rule p breaks, nil if none.
func (p Pattern) Check() error {
	toks, err := p.parse()
	if err != nil {
		return err
	}
	seq, year, month := 0, false, false
	for _, t := range toks {
		switch t.name {
		case "seq":
			seq++
		case "tahun":
			year = true
		case "bulan", "bulan-romawi":
			month = true
		}
	}
	if seq != 1 {
		return patternError(rulePatternSeq)
	}
	if month && !year {
		return patternError(rulePatternYear)
	}
	return nil
}

// Yearly reports whether the series restarts every year ({tahun} in the pattern).
func (p Pattern) Yearly() bool { return strings.Contains(string(p), "{tahun}") }

// Series is the counter a number of this pattern takes its {seq} from: the pattern with
// the kind's and the office's codes filled in. Two kinds whose numbers would read alike
// (same pattern, same codes) share one counter, so they can never collide.
func (p Pattern) Series(code, office string) string {
	return strings.NewReplacer("{kode}", code, "{kantor}", office).Replace(string(p))
}

// Period is the counter's period of a number issued at t (in the office's zone): the
// year for a yearly pattern, else 0.
func (p Pattern) Period(t time.Time) int {
	if p.Yearly() {
		return t.Year()
	}
	return 0
}

// Format is the number seq of the series issued at t, which must be in the office's
// time zone (the month and year are the office's).
func (p Pattern) Format(seq int64, code, office string, t time.Time) string {
	toks, err := p.parse()
	if err != nil {
		return strconv.FormatInt(seq, 10)
	}
	var b strings.Builder
	for _, tk := range toks {
		switch tk.name {
		case "":
			b.WriteString(tk.lit)
		case "seq":
			n := strconv.FormatInt(seq, 10)
			for i := len(n); i < tk.width; i++ {
				b.WriteByte('0')
			}
			b.WriteString(n)
		case "kode":
			b.WriteString(code)
		case "kantor":
			b.WriteString(office)
		case "bulan":
			b.WriteString(twoDigits(int(t.Month())))
		case "bulan-romawi":
			b.WriteString(Roman(int(t.Month())))
		case "tahun":
			b.WriteString(strconv.Itoa(t.Year()))
		}
	}
	return b.String()
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Roman is n (1–3999) in Roman numerals, as Indonesian letter numbers write the month.
func Roman(n int) string {
	if n <= 0 || n >= 4000 {
		return strconv.Itoa(n)
	}
	vals := [...]int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := [...]string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}
